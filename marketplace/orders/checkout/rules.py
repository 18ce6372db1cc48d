"""The checkout rules, each once: quantities, products, delivery day, fulfilment, cold chain, door."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, Temperature
from marketplace.core.money import format_cents
from marketplace.extensions import db
from marketplace.orders.checkout.errors import (
    BelowDoorMinimum,
    ColdChainBroken,
    CutoffPassed,
    DoorNotOffered,
    EmptyOrder,
    InvalidFulfilment,
    InvalidQuantity,
    NoHomeAddress,
    NotADeliveryDay,
    PickupPlaceUnavailable,
    ProductUnavailable,
    TooManyLines,
    UnknownProduct,
    WrongSubRegion,
)
from marketplace.orders.checkout.facts import (
    PlaceFacts,
    ResidentFacts,
    SubRegionTerms,
)
from marketplace.orders.models import Fulfilment
from marketplace.pickup.models import (
    Compartment,
    CompartmentState,
    PickupKind,
    PickupPlace,
)
from marketplace.regions.models import DoorWindow, Municipality, Place, SubRegion
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
    """How the resident wants to receive the order: a pickup place, or the door (address, window)."""

    kind: Fulfilment | str
    pickup_place_id: int | None = None
    street: str | None = None
    postcode: str | None = None
    town: str | None = None
    window: str | None = None


@dataclass(frozen=True)
class ResolvedFulfilment:
    kind: Fulfilment
    pickup_place: PlaceFacts | None
    fee_cents: int
    door_street: str | None = None
    door_postcode: str | None = None
    door_town: str | None = None
    door_lat: float | None = None
    door_lon: float | None = None
    door_window: str | None = None


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


def load_products(product_ids: Iterable[int]) -> dict[int, Product]:
    """Active products of approved producers by id; raises for a missing or withdrawn one."""
    ids = sorted(set(product_ids))
    products = {
        p.id: p
        for p in db.session.scalars(
            select(Product).where(Product.id.in_(ids)).options(joinedload(Product.producer))
        )
    }
    check_orderable(ids, products)
    return products


def check_orderable(ids: Iterable[int], products: dict) -> None:
    """Every id is among `products` (Product or ProductFacts by id), active, of an approved producer."""
    for product_id in ids:
        product = products.get(product_id)
        if product is None:
            raise UnknownProduct()
        if not product.is_active or not product.producer.is_approved:
            raise ProductUnavailable(product=product.name)


def check_available_on(products: Iterable[Product], day: date) -> None:
    for product in products:
        if not product.is_available_on(day):
            raise ProductUnavailable(product=product.name)


def home_sub_region(resident: User) -> SubRegion:
    """The sub-region of the resident's home, with its schedule, in one query."""
    sub_region = None
    if resident.home_place_id is not None:
        sub_region = db.session.scalars(
            select(SubRegion)
            .join(Municipality, Municipality.sub_region_id == SubRegion.id)
            .join(Place, Place.municipality_id == Municipality.id)
            .where(Place.id == resident.home_place_id)
            .options(joinedload(SubRegion.schedule))
        ).first()
    if sub_region is None:
        raise NoHomeAddress()
    return sub_region


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


def temperatures_kept(
    place: PickupPlace, compartment_temperatures: Iterable[Temperature] | None = None,
) -> set[Temperature]:
    """The temperature classes a pickup place can hold until handover.

    For a station, `compartment_temperatures` are the classes of its working compartments when
    the caller has queried just those (`working_compartment_temperatures`, at checkout);
    otherwise they come from the loaded compartments.
    """
    if place.kind == PickupKind.STATION:
        # A locker keeps a class only in a working compartment of that class: frozen goods
        # need a frozen compartment, a chilled one would let them thaw.
        if compartment_temperatures is None:
            compartment_temperatures = (
                c.temperature for c in place.compartments
                if c.state != CompartmentState.OUT_OF_SERVICE
            )
        return set(compartment_temperatures) | {Temperature.AMBIENT}
    if place.has_chilled_shelf:
        return {Temperature.AMBIENT, Temperature.CHILLED, Temperature.FROZEN}
    return {Temperature.AMBIENT}


_compartments = Compartment.__table__
_WORKING_COMPARTMENT_TEMPERATURES = select(_compartments.c.temperature).distinct().where(
    _compartments.c.station_id == bindparam("station_id"),
    _compartments.c.state != CompartmentState.OUT_OF_SERVICE,
)


def working_compartment_temperatures(connection, station_id: int) -> set[Temperature]:
    """The temperature classes of a station's compartments that are not out of service."""
    return set(connection.execute(_WORKING_COMPARTMENT_TEMPERATURES, {"station_id": station_id}).scalars())


def check_cold_chain(
    place: PickupPlace | None, temperatures: Iterable[Temperature],
    compartment_temperatures: Iterable[Temperature] | None = None,
) -> None:
    if place is None:  # the door: the driver hands it over from the cooled van
        return
    if not set(temperatures) <= temperatures_kept(place, compartment_temperatures):
        raise ColdChainBroken()


def check_pickup_place(place: PickupPlace | None, sub_region: SubRegion) -> PickupPlace:
    if place is None or not place.is_active or not place.is_approved:
        raise PickupPlaceUnavailable()
    if place.sub_region_id != sub_region.id:
        raise WrongSubRegion()
    return place


def check_door(sub_region: SubRegion, items_total_cents: int) -> int:
    """The door fee, if the sub-region delivers to the door and the basket reaches its minimum."""
    if not sub_region.door_delivery:
        raise DoorNotOffered()
    if items_total_cents < sub_region.door_min_order_cents:
        raise BelowDoorMinimum(minimum=format_cents(sub_region.door_min_order_cents))
    return sub_region.door_fee_cents


def parse_fulfilment_kind(kind: object) -> Fulfilment:
    try:
        return Fulfilment(kind)
    except ValueError:
        raise InvalidFulfilment() from None


def list_door_windows(sub_region: SubRegion) -> list[str]:
    """The door-delivery windows the sub-region's coordinator offers, as "09:00-12:00" labels."""
    windows = db.session.scalars(
        select(DoorWindow).where(DoorWindow.sub_region_id == sub_region.id).order_by(DoorWindow.starts)
    )
    return [w.label for w in windows]


def resolve_fulfilment(
    choice: FulfilmentChoice, *, connection, resident: ResidentFacts, sub_region: SubRegionTerms,
    place: PlaceFacts | None, temperatures: Iterable[Temperature], items_total_cents: int,
) -> ResolvedFulfilment:
    """How the order reaches the resident; `place` is the pickup place `choice` names, read
    with the checkout context (`facts.read_checkout_context`), None for none or an unknown id."""
    kind = parse_fulfilment_kind(choice.kind)
    if kind == Fulfilment.DOOR:
        fee = check_door(sub_region, items_total_cents)
        window = choice.window or None
        if window is not None and window not in list_door_windows(sub_region):
            raise InvalidFulfilment()
        street = (choice.street or resident.street or "").strip()
        postcode = (choice.postcode or resident.postcode or "").strip()
        town = (choice.town or resident.town or "").strip()
        if not street or not town or len(street) > 200 or len(postcode) > 10 or len(town) > 200:
            raise InvalidFulfilment()
        return ResolvedFulfilment(
            kind, None, fee, door_street=street, door_postcode=postcode or None, door_town=town,
            door_lat=resident.home_lat, door_lon=resident.home_lon, door_window=window,
        )
    place = check_pickup_place(place, sub_region)
    if place.kind != PickupKind(kind.value):
        raise PickupPlaceUnavailable()
    temperatures = set(temperatures)
    # Ambient goods fit any place; only cold goods need a look at the station's compartments.
    needs_cold = place.kind == PickupKind.STATION and temperatures - {Temperature.AMBIENT}
    check_cold_chain(
        place, temperatures,
        working_compartment_temperatures(connection, place.id) if needs_cold else (),
    )
    return ResolvedFulfilment(kind, place, 0)
