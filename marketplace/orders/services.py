"""Changes to orders and baskets: place, cancel, expire an order; fill and empty the basket."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.catalog.stock import give_back_stock, take_stock
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.ids import order_number
from marketplace.extensions import db
from marketplace.orders.checkout.context import (
    CheckoutContext,
    list_pickup_places_of,
    load_checkout,
    load_products,
)
from marketplace.orders.checkout.errors import (
    CutoffPassed,
    IdempotencyMismatch,
    InvalidIdempotencyKey,
    InvalidPaymentMethod,
    InvalidTransition,
    OutOfStock,
)
from marketplace.orders.checkout.options import BasketPrice, PricedLine, nearest_with_room, price_lines
from marketplace.orders.checkout.rules import (
    FulfilmentChoice,
    check_available_on,
    check_delivery_day,
    check_door,
    check_in_stock,
    check_line_quantities,
    check_orderable,
    check_pickup_place,
    check_product_id,
    check_quantity,
    is_possible_id,
    parse_fulfilment_kind,
    resolve_door_address,
    sum_quantities,
)
from marketplace.orders.models import (
    Cart,
    CartItem,
    Fulfilment,
    Order,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProducerOrder,
)
from marketplace.orders.notices import notify_order
from marketplace.orders.transitions import HOLDS_STOCK, move_order, record_event
from marketplace.pickup.models import PickupPlace
from marketplace.pickup.reservations import NoRoom, load_room, release_reservations, reserve_room

__all__ = [
    "FulfilmentChoice", "add_to_cart", "can_cancel", "cancel_order", "cart_items", "clear_cart",
    "expire_order", "fingerprint_order", "get_or_create_cart", "place_order", "remove_from_cart",
    "set_cart_quantity",
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


def new_order_line(line: PricedLine) -> OrderLine:
    """A product copied into an order line: name, unit, cold chain, size, price and VAT as they
    are now; later changes to the product leave the line alone."""
    product = line.product
    variable = product.is_variable_weight and product.nominal_weight_g is not None
    return OrderLine(
        product_id=product.id, product_name=product.name, unit=product.unit,
        temperature=product.temperature, crate_units=product.crate_units, quantity=line.quantity,
        unit_price_cents=line.unit_price_cents, vat_rate=product.vat_rate, total_cents=line.total_cents,
        price_per_kg_cents=product.price_per_kg_cents() if variable else None,
        nominal_weight_g=product.nominal_weight_g if variable else None,
        weight_tolerance_pct=product.weight_tolerance_pct if variable else None,
    )


def _build_order(context: CheckoutContext, basket: BasketPrice, **fields) -> Order:
    order = Order(
        number=order_number(), resident_id=context.resident.id, sub_region_id=context.sub_region.id,
        items_total_cents=basket.items_total_cents, delivery_fee_cents=basket.delivery_fee_cents,
        total_cents=basket.total_cents, status=OrderStatus.PLACED, **fields,
    )
    for producer, lines in sorted(basket.lines_by_producer().items(), key=lambda kv: kv[0].id):
        order_lines = [new_order_line(line) for line in lines]
        order.producer_orders.append(ProducerOrder(
            producer_id=producer.id, items_total_cents=sum(line.total_cents for line in lines),
        ))
        for order_line in order_lines:
            order_line.producer_order = order.producer_orders[-1]
            order.lines.append(order_line)
    return order


def _fulfilment_fields(
    context: CheckoutContext, choice: FulfilmentChoice, *, kind: Fulfilment, day: date,
    goods: BasketPrice, nominatim_user_agent: str | None,
) -> tuple[dict, int]:
    """How the order reaches the resident, as Order fields, and the delivery fee."""
    if kind == Fulfilment.DOOR:
        fee = check_door(context.sub_region, goods.items_total_cents)
        door = resolve_door_address(context, choice, nominatim_user_agent=nominatim_user_agent)
        return {
            "door_street": door.street, "door_postcode": door.postcode, "door_town": door.town,
            "door_lat": door.lat, "door_lon": door.lon, "door_window": door.window,
        }, fee
    place = check_pickup_place(context, kind, choice.pickup_place_id, day=day,
                               temperatures=goods.temperatures)
    return {"pickup_place": place}, 0


def place_order(
    *, resident, items: Iterable[tuple[int, int]], delivery_date: date,
    fulfilment: FulfilmentChoice, payment_method: PaymentMethod | str, now: datetime,
    placed_by: User | None = None, idempotency_key: str | None = None,
    nominatim_user_agent: str | None = None,
) -> Order:
    """Place an order of (product_id, quantity) items for a delivery day and take its stock.

    `resident` and `placed_by` (staff ordering for someone) are users. Prices come from the
    products now (anything a client sends is ignored). Raises the errors of
    `marketplace.orders.checkout`; on any refusal nothing is taken and no order is written. The
    order is PLACED; its payment provider confirms it (`payments.services.submit_order`).
    Flushes; the caller commits once. With an idempotency key, the same resident sending the
    same basket again gets the order placed the first time, also when both arrive at once.
    """
    quantities = sum_quantities(items)
    try:
        payment_method = PaymentMethod(payment_method)
    except ValueError:
        raise InvalidPaymentMethod() from None
    kind = parse_fulfilment_kind(fulfilment.kind)
    fingerprint = None
    if idempotency_key is not None:
        if not isinstance(idempotency_key, str) or not 1 <= len(idempotency_key) <= 200:
            raise InvalidIdempotencyKey()
        fingerprint = fingerprint_order(
            quantities=quantities, delivery_date=delivery_date, fulfilment=fulfilment,
            payment_method=payment_method,
        )
        existing = _existing_order(resident.id, idempotency_key, fingerprint)
        if existing is not None:
            return existing

    place_id = fulfilment.pickup_place_id
    context = load_checkout(resident.id, quantities,
                            place_ids=[place_id] if is_possible_id(place_id) else [])
    check_orderable(quantities, context.products)
    check_line_quantities(quantities, context.products)
    day = check_delivery_day(context.sub_region, delivery_date, now)
    check_available_on(context.products.values(), day.date)
    goods = price_lines(context.products, quantities)
    fields, fee = _fulfilment_fields(context, fulfilment, kind=kind, day=day.date, goods=goods,
                                     nominatim_user_agent=nominatim_user_agent)
    order = _build_order(
        context, price_lines(context.products, quantities, fee), **fields,
        placed_by_id=placed_by.id if placed_by is not None else None, delivery_date=day.date,
        cutoff_at=day.cutoff_at, fulfilment=kind, payment_method=payment_method,
        idempotency_key=idempotency_key, request_fingerprint=fingerprint, created_at=now,
    )
    record_event(order, "placed", now=now, actor=placed_by or resident, flush=False)
    place = fields.get("pickup_place")
    try:
        # A savepoint: a refusal here (stock short, no room left at the place, the same
        # idempotency key committed by a concurrent request) undoes what this order took and
        # wrote, and nothing else.
        with db.session.begin_nested():
            short = take_stock(quantities)
            if short is not None:
                raise OutOfStock(product=context.products[short].name)
            db.session.add(order)
            db.session.flush()
            if place is not None:
                reserve_room(place=place, delivery_date=day.date, crates_by_temperature=goods.crates,
                             order_id=order.id)
    except NoRoom as full:
        raise type(full)(alternatives=_alternatives(context, place, day.date, goods)) from None
    except IntegrityError:
        existing = _existing_order(resident.id, idempotency_key, fingerprint) if idempotency_key else None
        if existing is None:
            raise
        return existing
    notify_order(order, "order_placed", now=now)
    # Last, after the stock and the order's rows: on PostgreSQL the one row of the catalogue's
    # version stays locked from here to the commit, and every order passes through it.
    bump_catalog_version()
    return order


def _alternatives(context: CheckoutContext, full: PickupPlace, day: date, goods: BasketPrice):
    """The nearest places of the resident's sub-region that still take the basket on `day`."""
    places = list_pickup_places_of(context.sub_region.id)
    room = load_room(places, [day])
    return nearest_with_room(places, context.home, day, goods, room, instead_of=full)


def can_cancel(order: Order, now: datetime) -> bool:
    """A resident may cancel until the delivery day's cut-off, while the order holds its stock."""
    return order.status in HOLDS_STOCK and now < order.cutoff_at


def _quantities_of(order: Order) -> dict[int, int]:
    quantities: dict[int, int] = {}
    for line in order.lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
    return quantities


def _give_back(order: Order, now: datetime) -> None:
    """What an order held goes back when it is cancelled or expires: its stock, and its room at
    the pickup place (compartments, a sales point's crate units)."""
    give_back_stock(_quantities_of(order))
    release_reservations(order_id=order.id, now=now)


def cancel_order(*, order: Order, actor: User | None, now: datetime, note: str = "") -> Order:
    """Cancel before the cut-off and give the stock back; after it the producers are packing."""
    if not can_cancel(order, now):
        raise InvalidTransition() if order.status not in HOLDS_STOCK else CutoffPassed()
    move_order(order, OrderStatus.CANCELLED, now=now, actor=actor, kind="cancelled", note=note)
    _give_back(order, now)
    notify_order(order, "order_cancelled", now=now)
    db.session.flush()
    bump_catalog_version()
    return order


def expire_order(*, order: Order, now: datetime) -> Order:
    """An unpaid order runs out (online payment not completed in time): its stock goes back.

    The job that finds unpaid orders comes with online payment.
    """
    move_order(order, OrderStatus.EXPIRED, now=now, kind="expired")
    _give_back(order, now)
    db.session.flush()
    bump_catalog_version()
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
    products = load_products([product_id])
    check_orderable([product_id], products)
    product = products[product_id]
    check_in_stock(product, quantity)
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
    """The basket as (product_id, quantity) pairs, ready for `place_order` and the checkout
    (an empty list when the user has no basket yet)."""
    cart = db.session.scalars(select(Cart).where(Cart.user_id == user.id)).first()
    return [] if cart is None else [(item.product_id, item.quantity) for item in cart.items]

