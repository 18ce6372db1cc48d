"""Changes to orders and baskets: place, cancel, expire an order; fill and empty the basket."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.ids import order_number
from marketplace.core.inserts import insert_rows, row_of
from marketplace.core.prepared import Prepared
from marketplace.extensions import db, start_writing
from marketplace.orders.checkout.errors import (
    CutoffPassed,
    IdempotencyMismatch,
    InvalidIdempotencyKey,
    InvalidPaymentMethod,
    InvalidTransition,
    NoHomeAddress,
    OutOfStock,
)
from marketplace.orders.checkout.facts import ProductFacts, read_checkout_context, read_products
from marketplace.orders.checkout.options import price_lines
from marketplace.orders.checkout.rules import (
    FulfilmentChoice,
    check_available_on,
    check_delivery_day,
    check_orderable,
    check_product_id,
    check_quantity,
    is_possible_id,
    load_products,
    parse_fulfilment_kind,
    resolve_fulfilment,
    sum_quantities,
)
from marketplace.orders.models import (
    Cart,
    CartItem,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProducerOrder,
)
from marketplace.orders.placed import PlacedEvent, PlacedLine, PlacedOrder, PlacedProducerOrder
from marketplace.orders.transitions import HOLDS_STOCK, can_move, move_order
from marketplace.orders.write_at_once import write_order_at_once

_products = Product.__table__

__all__ = [
    "FulfilmentChoice", "add_to_cart", "cancel_order", "cart_items", "clear_cart", "expire_order",
    "fingerprint_order", "get_or_create_cart", "place_order", "remove_from_cart", "set_cart_quantity",
]


# -- orders ---------------------------------------------------------------------------------

def fingerprint_order(
    *, quantities: dict[int, int], delivery_date: object, fulfilment: FulfilmentChoice,
    payment_method: object,
) -> str:
    """A hash of what was ordered: the same basket sent twice gives the same fingerprint."""
    canonical = {
        "items": sorted(quantities.items()),
        "delivery_date": str(delivery_date),
        "fulfilment": [
            str(fulfilment.kind), fulfilment.pickup_place_id, fulfilment.street, fulfilment.postcode,
            fulfilment.town, fulfilment.window,
        ],
        "payment_method": str(payment_method),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def _existing_order(resident_id: int, key: str, fingerprint: str) -> Order | None:
    order = db.session.scalars(
        select(Order).where(Order.resident_id == resident_id, Order.idempotency_key == key)
    ).first()
    if order is not None and order.request_fingerprint != fingerprint:
        raise IdempotencyMismatch()
    return order


_TAKE_STOCK = Prepared(
    update(_products)
    .where(_products.c.id == bindparam("product_id"), _products.c.stock >= bindparam("quantity"))
    .values(stock=_products.c.stock - bindparam("quantity"))
)
_RETURN_STOCK = Prepared(
    update(_products)
    .where(_products.c.id == bindparam("product_id"))
    .values(stock=_products.c.stock + bindparam("quantity"))
)


def _take_stock(connection, products: dict[int, ProductFacts], quantities: dict[int, int]) -> None:
    """One guarded UPDATE per product, in ascending id order so concurrent checkouts of the same
    products lock rows in the same order and cannot deadlock.

    On a refusal the units already taken of products with lower ids go back at once, exactly,
    because this transaction still holds their rows (the write lock on SQLite, the row locks
    on PostgreSQL). Without a savepoint the happy path saves two statements (README,
    "Performance")."""
    taken: list[int] = []
    for product_id in sorted(quantities):
        product = products[product_id]
        if product.stock is None:  # made to order
            continue
        cursor = _TAKE_STOCK.run(
            connection, {"product_id": product_id, "quantity": quantities[product_id]}
        )
        if cursor.rowcount != 1:
            for taken_id in taken:
                _RETURN_STOCK.run(
                    connection, {"product_id": taken_id, "quantity": quantities[taken_id]}
                )
            raise OutOfStock(product=product.name)
        taken.append(product_id)
    # A Product this session holds (a page's, a test's) now shows a stale stock.
    for product_id in taken:
        product = db.session.identity_map.get(identity_key(Product, product_id))
        if product is not None:
            db.session.expire(product, ["stock"])


def _give_back_stock(order: Order) -> None:
    quantities: dict[int, int] = {}
    for line in order.lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    for product_id in sorted(quantities):
        db.session.execute(
            update(_products)
            .where(_products.c.id == product_id, _products.c.stock.is_not(None))
            .values(stock=_products.c.stock + quantities[product_id])
        )
    for line in order.lines:
        db.session.expire(line.product, ["stock"])


def _build_order(*, resident_id, placed_by_id, sub_region, day, fulfilment, payment_method, basket,
                 key, fingerprint, now, confirm) -> PlacedOrder:
    order = PlacedOrder(
        number=order_number(), resident_id=resident_id, placed_by_id=placed_by_id,
        sub_region_id=sub_region.id, delivery_date=day.date, cutoff_at=day.cutoff_at,
        status=OrderStatus.PLACED, fulfilment=fulfilment.kind, pickup_place=fulfilment.pickup_place,
        pickup_place_id=fulfilment.pickup_place.id if fulfilment.pickup_place else None,
        door_street=fulfilment.door_street, door_postcode=fulfilment.door_postcode,
        door_town=fulfilment.door_town, door_lat=fulfilment.door_lat, door_lon=fulfilment.door_lon,
        door_window=fulfilment.door_window, payment_method=payment_method,
        items_total_cents=basket.items_total_cents, delivery_fee_cents=basket.delivery_fee_cents,
        total_cents=basket.total_cents, idempotency_key=key, request_fingerprint=fingerprint,
        created_at=now,
    )
    for producer, lines in sorted(basket.lines_by_producer().items(), key=lambda kv: kv[0].id):
        order.producer_orders.append(PlacedProducerOrder(
            producer_id=producer.id, items_total_cents=sum(line.total_cents for line in lines),
            lines=[
                PlacedLine(
                    producer_order_id=None, product_id=line.product.id,
                    product_name=line.product.name, unit=line.product.unit,
                    temperature=line.product.temperature, crate_units=line.product.crate_units,
                    quantity=line.quantity, unit_price_cents=line.unit_price_cents,
                    vat_rate=line.product.vat_rate, total_cents=line.total_cents,
                )
                for line in lines
            ],
        ))
    actor_id = placed_by_id or resident_id
    order.events.append(PlacedEvent(
        at=now, kind="placed", from_status=None, to_status=OrderStatus.PLACED, actor_id=actor_id,
    ))
    if confirm:
        if not can_move(order, OrderStatus.CONFIRMED):
            raise InvalidTransition()
        order.status = OrderStatus.CONFIRMED
        order.events.append(PlacedEvent(
            at=now, kind="confirmed", from_status=OrderStatus.PLACED,
            to_status=OrderStatus.CONFIRMED, actor_id=actor_id, note=payment_method.value,
        ))
    return order


_orders, _producer_orders = Order.__table__, ProducerOrder.__table__
_order_lines, _order_events = OrderLine.__table__, OrderEvent.__table__
# Its producer orders, lines and events go with it (ON DELETE CASCADE).
_DELETE_ORDER = Prepared(delete(_orders).where(_orders.c.id == bindparam("id")))


def _write_order(connection, order: PlacedOrder) -> None:
    """INSERT the order, its producer orders, lines and events: one statement per table, or on
    PostgreSQL one statement for all (orders.write_at_once)."""
    if connection.dialect.name == "postgresql":
        write_order_at_once(connection, order)
        return
    (order.id,) = insert_rows(connection, _orders, [row_of(order, _orders)], return_ids=True)
    for producer_order in order.producer_orders:
        producer_order.order_id = order.id
    ids = insert_rows(
        connection, _producer_orders,
        [row_of(po, _producer_orders) for po in order.producer_orders], return_ids=True,
    )
    for producer_order, producer_order_id in zip(order.producer_orders, ids, strict=True):
        producer_order.id = producer_order_id
        for line in producer_order.lines:
            line.order_id, line.producer_order_id = order.id, producer_order_id
    insert_rows(connection, _order_lines, [row_of(line, _order_lines) for line in order.lines])
    for event in order.events:
        event.order_id = order.id
    insert_rows(connection, _order_events, [row_of(event, _order_events) for event in order.events])


def place_order(
    *, resident, items: Iterable[tuple[int, int]], delivery_date: date,
    fulfilment: FulfilmentChoice, payment_method: PaymentMethod | str, now: datetime,
    placed_by=None, idempotency_key: str | None = None, fingerprint: str | None = None,
    confirm: bool = False,
) -> PlacedOrder | Order:
    """Place an order of (product_id, quantity) items for a delivery day and take its stock.

    `resident` and `placed_by` (staff ordering for someone) are users, or anything with their
    `id`. Prices come from the products now (anything a client sends is ignored). Raises the
    errors of `marketplace.orders.checkout`; on any refusal nothing is taken and no order is
    written. Writes without the ORM (README, "Performance") and returns the `PlacedOrder` as
    written; the caller commits once. With an idempotency key, the same resident sending the
    same basket again gets the `Order` placed the first time (when both arrive at once, the
    session is rolled back before the first one is read). `confirm` places it CONFIRMED at
    once (both events recorded), for payment methods that need no online step (pay on pickup).
    """
    connection = db.session.connection()
    place_id = fulfilment.pickup_place_id
    home, place = read_checkout_context(
        connection, resident.id, place_id if is_possible_id(place_id) else None,
    )
    if home is None or home.sub_region is None:
        raise NoHomeAddress()
    sub_region = home.sub_region
    quantities = sum_quantities(items)
    try:
        payment_method = PaymentMethod(payment_method)
    except ValueError:
        raise InvalidPaymentMethod() from None
    parse_fulfilment_kind(fulfilment.kind)
    if idempotency_key is not None:
        if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 200:
            raise InvalidIdempotencyKey()
        fingerprint = fingerprint or fingerprint_order(
            quantities=quantities, delivery_date=delivery_date, fulfilment=fulfilment,
            payment_method=payment_method,
        )
        existing = _existing_order(resident.id, idempotency_key, fingerprint)
        if existing is not None:
            return existing
    else:
        fingerprint = None

    products = read_products(connection, sorted(quantities))
    check_orderable(quantities, products)
    day = check_delivery_day(sub_region, delivery_date, now)
    check_available_on(products.values(), day.date)
    goods = price_lines(products, quantities)
    resolved = resolve_fulfilment(
        fulfilment, connection=connection, resident=home, sub_region=sub_region, place=place,
        temperatures=goods.temperatures, items_total_cents=goods.items_total_cents,
    )
    basket = price_lines(products, quantities, resolved.fee_cents)
    order = _build_order(
        resident_id=resident.id, placed_by_id=placed_by.id if placed_by is not None else None,
        sub_region=sub_region, day=day, fulfilment=resolved, payment_method=payment_method,
        basket=basket, key=idempotency_key, fingerprint=fingerprint, now=now, confirm=confirm,
    )

    start_writing()
    try:
        _write_order(connection, order)
    except IntegrityError:
        # A concurrent request with the same idempotency key committed first. Its order stands;
        # this transaction is rolled back (on PostgreSQL it is aborted).
        if idempotency_key is None:
            raise
        db.session.rollback()
        existing = _existing_order(resident.id, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing
    # Stock last: on PostgreSQL a product's row stays locked from its UPDATE to the commit, so
    # orders of the same goods queue for the shortest time. A refusal takes the order out again
    # (nothing else saw it), so that nothing is written even for a caller who commits.
    try:
        _take_stock(connection, products, quantities)
    except OutOfStock:
        _DELETE_ORDER.run(connection, {"id": order.id})
        raise
    return order


def cancel_order(*, order: Order, actor: User | None, now: datetime, note: str = "") -> Order:
    """Cancel before the cut-off and give the stock back; after it the producers are packing."""
    if order.status not in HOLDS_STOCK:
        raise InvalidTransition()
    if now >= order.cutoff_at:
        raise CutoffPassed()
    move_order(order, OrderStatus.CANCELLED, now=now, actor=actor, kind="cancelled", note=note)
    _give_back_stock(order)
    db.session.flush()
    return order


def expire_order(*, order: Order, now: datetime) -> Order:
    """An unpaid order runs out (online payment not completed in time): its stock goes back.

    The job that finds unpaid orders (`expire_unpaid_orders`) comes with online payment.
    """
    move_order(order, OrderStatus.EXPIRED, now=now, kind="expired")
    _give_back_stock(order)
    db.session.flush()
    return order


# -- the basket -----------------------------------------------------------------------------

def get_or_create_cart(user: User) -> Cart:
    cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).first()
    if cart is None:
        cart = Cart(user_id=user.id)
        db.session.add(cart)
        db.session.flush()
    return cart


def _cart_item(cart: Cart, product_id: int) -> CartItem | None:
    return next((item for item in cart.items if item.product_id == product_id), None)


def _check_cart_quantity(product_id: object, quantity: object) -> tuple[Product, int]:
    product_id, quantity = check_product_id(product_id), check_quantity(quantity)
    product = load_products([product_id])[product_id]
    if product.stock is not None and quantity > product.stock:
        raise OutOfStock(product=product.name)
    return product, quantity


def add_to_cart(*, user: User, product_id: int, quantity: int) -> CartItem:
    """Add to the basket (adding to what is there); the total must be in stock now."""
    check_product_id(product_id)
    check_quantity(quantity)
    item = _cart_item(get_or_create_cart(user), product_id)
    total = quantity + (item.quantity if item else 0)
    return set_cart_quantity(user=user, product_id=product_id, quantity=total)


def set_cart_quantity(*, user: User, product_id: int, quantity: int) -> CartItem:
    product, quantity = _check_cart_quantity(product_id, quantity)
    cart = get_or_create_cart(user)
    item = _cart_item(cart, product.id)
    if item is None:
        item = CartItem(product_id=product.id, quantity=quantity)
        cart.items.append(item)
    else:
        item.quantity = quantity
    db.session.flush()
    return item


def remove_from_cart(*, user: User, product_id: int) -> None:
    cart = get_or_create_cart(user)
    item = _cart_item(cart, product_id)
    if item is not None:
        cart.items.remove(item)
        db.session.flush()


def clear_cart(user: User) -> None:
    cart = get_or_create_cart(user)
    cart.items.clear()
    db.session.flush()


def cart_items(user: User) -> list[tuple[int, int]]:
    """The basket as (product_id, quantity) pairs, ready for `place_order` and the checkout.

    Only reads (an empty list when the user has no basket yet): the checkout calls it before
    its write transaction."""
    cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).first()
    return [] if cart is None else [(item.product_id, item.quantity) for item in cart.items]

