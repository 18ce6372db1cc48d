"""The checkout rules, each once: quantities, products, delivery day, pickup place, cold chain, door.

Every rule reads the ORM objects of the checkout's context (`checkout.context`), so the options
page, the shop's order form and the API judge a basket alike.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from marketplace.catalog.models import Product, Temperature
from marketplace.core.money import format_cents
from marketplace.extensions import db
from marketplace.orders.checkout.context import CheckoutContext
from marketplace.orders.checkout.errors import (
    AddressNotFound,
    AddressOutsideSubRegion,
    BelowDoorMinimum,
    ColdChainBroken,
    CutoffPassed,
    DoorNotOffered,
    EmptyOrder,
    InvalidFulfilment,
    InvalidQuantity,
    NotADeliveryDay,
    OutOfStock,
    PickupPlaceClosed,
    PickupPlaceUnavailable,
    ProductUnavailable,
    QuantityNotAllowed,
    TooManyLines,
    UnknownProduct,
    WrongSubRegion,
)
from marketplace.orders.models import Fulfilment
from marketplace.pickup.cold_chain import is_open_on, temperatures_kept
from marketplace.pickup.models import PickupKind, PickupPlace
from marketplace.regions.models import DoorWindow, SubRegion
from marketplace.regions.queries import locate_address
from marketplace.regions.schedule import DeliveryDay, get_delivery_day, list_sub_region_delivery_days

MIN_QUANTITY = 1
MAX_QUANTITY = 999
MAX_LINES = 100
# Ids are INTEGER columns: a larger number names nothing (and would overflow the driver).
MAX_ID = 2**31 - 1
# How far ahead residents can order: four weeks, i.e. eight days on a two-day schedule.
DELIVERY_DAYS_AHEAD = 8
DELIVERY_HORIZON_DAYS = 28


@dataclass(frozen=True)
class FulfilmentChoice:
    """How the resident wants to receive the order: a pickup place, or the door (address, window).

    For the door, no address means the home address; a street, postcode and town given here are
    located like a home address and must lie in the resident's sub-region."""

    kind: Fulfilment | str
    pickup_place_id: int | None = None
    street: str | None = None
    postcode: str | None = None
    town: str | None = None
    window: str | None = None


@dataclass(frozen=True)
class DoorAddress:
    street: str
    postcode: str | None
    town: str
    lat: float | None
    lon: float | None
    window: str | None


def is_strict_int(value: object) -> bool:
    # bool is an int subclass; True must not order one loaf.
    return type(value) is int


def check_quantity(quantity: object) -> int:
    if not is_strict_int(quantity) or not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise InvalidQuantity()
    return quantity


def is_possible_id(value: object) -> bool:
    return is_strict_int(value) and 1 <= value <= MAX_ID


def check_product_id(product_id: object) -> int:
    if not is_possible_id(product_id):
        raise UnknownProduct()
    return product_id


def sum_quantities(items: Iterable[tuple[object, object]]) -> dict[int, int]:
    """(product_id, quantity) pairs → {product_id: total}, each checked; same product summed."""
    items = list(items)
    if not items:
        raise EmptyOrder()
    if len(items) > MAX_LINES:
        raise TooManyLines()
    totals: dict[int, int] = {}
    for item in items:
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise InvalidQuantity()
        product_id, quantity = check_product_id(item[0]), check_quantity(item[1])
        totals[product_id] = totals.get(product_id, 0) + quantity
    for total in totals.values():
        if total > MAX_QUANTITY:
            raise InvalidQuantity()
    return totals


def check_orderable(ids: Iterable[int], products: dict[int, Product]) -> None:
    """Every id is among `products`, active, of an approved producer."""
    for product_id in ids:
        product = products.get(product_id)
        if product is None:
            raise UnknownProduct()
        if not product.is_active or not product.producer.is_approved:
            raise ProductUnavailable(product=product.name)


def check_line_quantities(quantities: dict[int, int], products: dict[int, Product]) -> None:
    """Each line orders at least the product's minimum, and above it whole steps (6, 12, 18 eggs)."""
    for product_id, quantity in quantities.items():
        product = products[product_id]
        minimum, step = product.min_quantity or 1, product.quantity_step or 1
        if quantity < minimum or (quantity - minimum) % step:
            raise QuantityNotAllowed(product=product.name, minimum=minimum, step=step)


def check_in_stock(product: Product, quantity: int) -> None:
    """What the basket checks; placing an order takes the stock with a guarded UPDATE instead."""
    if product.stock is not None and quantity > product.stock:
        raise OutOfStock(product=product.name)


def check_available_on(products: Iterable[Product], day: date) -> None:
    for product in products:
        if not product.is_available_on(day):
            raise ProductUnavailable(product=product.name)


def list_open_delivery_days(sub_region: SubRegion, now: datetime) -> list[DeliveryDay]:
    return list_sub_region_delivery_days(
        sub_region, now=now, count=DELIVERY_DAYS_AHEAD, horizon_days=DELIVERY_HORIZON_DAYS
    )


def check_delivery_day(sub_region: SubRegion, day: object, now: datetime) -> DeliveryDay:
    """The delivery day if residents of `sub_region` can still order for `day` at `now`."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise NotADeliveryDay()
    for open_day in list_open_delivery_days(sub_region, now):
        if open_day.date == day:
            return open_day
    schedule = sub_region.schedule
    if schedule is not None:
        scheduled = get_delivery_day(
            day, weekdays=schedule.weekdays, cutoff_days_before=schedule.cutoff_days_before,
            cutoff_time=schedule.cutoff_time,
        )
        if scheduled is not None and scheduled.cutoff_at <= now:
            raise CutoffPassed()
    raise NotADeliveryDay()


def keeps_cold_enough(place: PickupPlace, temperatures: Iterable[Temperature]) -> bool:
    return set(temperatures) <= temperatures_kept(place)


def check_cold_chain(place: PickupPlace, temperatures: Iterable[Temperature]) -> None:
    if not keeps_cold_enough(place, temperatures):
        raise ColdChainBroken()


def check_open_on(place: PickupPlace, day: date) -> None:
    if not is_open_on(place, day):
        raise PickupPlaceClosed(place=place.name, day=day.strftime("%d.%m.%Y"))


def parse_fulfilment_kind(kind: object) -> Fulfilment:
    try:
        return Fulfilment(kind)
    except ValueError:
        raise InvalidFulfilment() from None


def check_pickup_place(
    context: CheckoutContext, kind: Fulfilment, place_id: object, *, day: date,
    temperatures: Iterable[Temperature],
) -> PickupPlace:
    """The chosen pickup place of the resident's sub-region, open that day, keeping the goods cold."""
    place = context.places.get(place_id) if is_possible_id(place_id) else None
    if place is None:
        elsewhere = db.session.get(PickupPlace, place_id) if is_possible_id(place_id) else None
        if elsewhere is not None and elsewhere.is_active and elsewhere.is_approved:
            raise WrongSubRegion()
        raise PickupPlaceUnavailable()
    if place.kind != PickupKind(kind.value):
        raise PickupPlaceUnavailable()
    check_cold_chain(place, temperatures)
    check_open_on(place, day)
    return place


def check_door(sub_region: SubRegion, items_total_cents: int) -> int:
    """The door fee, if the sub-region delivers to the door and the basket reaches its minimum."""
    if not sub_region.door_delivery:
        raise DoorNotOffered()
    if items_total_cents < sub_region.door_min_order_cents:
        raise BelowDoorMinimum(minimum=format_cents(sub_region.door_min_order_cents))
    return sub_region.door_fee_cents


def list_door_windows(sub_region: SubRegion) -> list[str]:
    """The door-delivery windows the sub-region's coordinator offers, as "09:00-12:00" labels."""
    windows = db.session.scalars(
        select(DoorWindow).where(DoorWindow.sub_region_id == sub_region.id).order_by(DoorWindow.starts)
    )
    return [w.label for w in windows]


def resolve_door_address(
    context: CheckoutContext, choice: FulfilmentChoice, *, nominatim_user_agent: str | None = None,
) -> DoorAddress:
    """Where the driver brings the order: the home address, or the address the resident gave,
    located like a home address and refused when it lies outside the resident's sub-region."""
    window = choice.window or None
    if window is not None and window not in list_door_windows(context.sub_region):
        raise InvalidFulfilment()
    resident = context.resident
    given = [(value or "").strip() for value in (choice.street, choice.postcode, choice.town)]
    if not any(given):
        street, postcode, town = (resident.street or "").strip(), (resident.postcode or "").strip(), (
            resident.town or "").strip()
        if not street or not town:
            raise InvalidFulfilment()
        home = context.home
        return DoorAddress(street, postcode or None, town, home[0] if home else None,
                           home[1] if home else None, window)
    street, postcode, town = given
    if not street or not town or len(street) > 200 or len(postcode) > 10 or len(town) > 200:
        raise InvalidFulfilment()
    located = locate_address(street=street, postcode=postcode, town=town,
                             nominatim_user_agent=nominatim_user_agent)
    if located is None:
        raise AddressNotFound()
    point, place = located
    if place is None or place.sub_region.id != context.sub_region.id:
        raise AddressOutsideSubRegion()
    return DoorAddress(street, postcode or None, town, point.lat, point.lon, window)
