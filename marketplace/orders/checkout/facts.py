"""What placing an order reads, as plain records from prebuilt Core statements.

Placing an order is the hot write path of the shop (README, "Performance"): loading ORM objects
for its checks cost as much as the rest of the request together. The rules in
`checkout.rules` read attributes only, so they take these records as well as the ORM objects
that the pages load. Each statement is built once, at import; executing a prebuilt statement
skips building it and computing its cache key on every request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, select

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer, Product, Temperature, Unit, is_available_on
from marketplace.core.prepared import Prepared
from marketplace.pickup.models import PickupKind, PickupPlace
from marketplace.regions.models import DeliverySchedule, Municipality, Place, SubRegion


@dataclass(frozen=True, slots=True)
class ScheduleTerms:
    weekday_mask: int
    cutoff_days_before: int
    cutoff_time: time

    @property
    def weekdays(self) -> list[int]:
        return [d + 1 for d in range(7) if self.weekday_mask & (1 << d)]


@dataclass(frozen=True, slots=True)
class SubRegionTerms:
    """What the checkout needs of a sub-region: its door delivery and its schedule."""

    id: int
    door_delivery: bool
    door_fee_cents: int
    door_min_order_cents: int
    schedule: ScheduleTerms | None


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    """Who orders: the home address (for the door) and the sub-region it lies in."""

    id: int
    street: str | None
    postcode: str | None
    town: str | None
    home_lat: float | None
    home_lon: float | None
    sub_region: SubRegionTerms | None


@dataclass(frozen=True, slots=True)
class ProducerFacts:
    id: int
    name: str
    is_approved: bool


@dataclass(frozen=True, slots=True)
class ProductFacts:
    id: int
    name: str
    unit: Unit
    temperature: Temperature
    crate_units: Decimal
    vat_rate: int
    price_cents: int
    stock: int | None
    is_active: bool
    available_weekday_mask: int
    season_start: date | None
    season_end: date | None
    producer: ProducerFacts

    def is_available_on(self, day: date) -> bool:
        return is_available_on(self, day)


@dataclass(frozen=True, slots=True)
class PlaceFacts:
    id: int
    kind: PickupKind
    name: str
    sub_region_id: int
    is_active: bool
    is_approved: bool
    has_chilled_shelf: bool


_users, _places, _municipalities = User.__table__, Place.__table__, Municipality.__table__
_sub_regions, _schedules = SubRegion.__table__, DeliverySchedule.__table__
_products, _producers, _pickup_places = Product.__table__, Producer.__table__, PickupPlace.__table__

# The resident's home, its sub-region and schedule, and the pickup place the order names (if
# any): one statement, outer joins throughout so that a missing part reads as NULLs.
_CHECKOUT_CONTEXT = Prepared(
    select(
        _users.c.id, _users.c.street, _users.c.postcode, _users.c.town, _users.c.home_lat,
        _users.c.home_lon, _sub_regions.c.id.label("sub_region_id"), _sub_regions.c.door_delivery,
        _sub_regions.c.door_fee_cents, _sub_regions.c.door_min_order_cents,
        _schedules.c.id.label("schedule_id"), _schedules.c.weekday_mask,
        _schedules.c.cutoff_days_before, _schedules.c.cutoff_time,
        _pickup_places.c.id.label("place_id"), _pickup_places.c.kind.label("place_kind"),
        _pickup_places.c.name.label("place_name"),
        _pickup_places.c.sub_region_id.label("place_sub_region_id"),
        _pickup_places.c.is_active.label("place_is_active"),
        _pickup_places.c.is_approved.label("place_is_approved"),
        _pickup_places.c.has_chilled_shelf.label("place_has_chilled_shelf"),
    )
    .select_from(_users)
    .outerjoin(_places, _places.c.id == _users.c.home_place_id)
    .outerjoin(_municipalities, _municipalities.c.id == _places.c.municipality_id)
    .outerjoin(_sub_regions, _sub_regions.c.id == _municipalities.c.sub_region_id)
    .outerjoin(_schedules, _schedules.c.sub_region_id == _sub_regions.c.id)
    .outerjoin(_pickup_places, _pickup_places.c.id == bindparam("place_id"))
    .where(_users.c.id == bindparam("user_id"))
)

_PRODUCTS = (
    select(
        _products.c.id, _products.c.name, _products.c.unit, _products.c.temperature,
        _products.c.crate_units, _products.c.vat_rate, _products.c.price_cents, _products.c.stock,
        _products.c.is_active, _products.c.available_weekday_mask, _products.c.season_start,
        _products.c.season_end, _producers.c.id.label("producer_id"),
        _producers.c.name.label("producer_name"), _producers.c.is_approved,
    )
    .join(_producers, _producers.c.id == _products.c.producer_id)
)
# Products are read by one statement per up to this many ids (`id IN (…)` with as many
# parameters), prepared once for each count.
PRODUCTS_PER_STATEMENT = 32


@cache
def _products_statement(count: int) -> Prepared:
    return Prepared(_PRODUCTS.where(_products.c.id.in_([bindparam(f"id_{n}") for n in range(count)])))


def read_checkout_context(
    connection, user_id: int, place_id: int | None,
) -> tuple[ResidentFacts | None, PlaceFacts | None]:
    """The resident with the sub-region of their home, and the pickup place `place_id`."""
    row = _CHECKOUT_CONTEXT.first(connection, {"user_id": user_id, "place_id": place_id})
    if row is None:
        return None, None
    sub_region = None
    if row.sub_region_id is not None:
        schedule = None
        if row.schedule_id is not None:
            schedule = ScheduleTerms(row.weekday_mask, row.cutoff_days_before, row.cutoff_time)
        sub_region = SubRegionTerms(
            row.sub_region_id, row.door_delivery, row.door_fee_cents, row.door_min_order_cents,
            schedule,
        )
    resident = ResidentFacts(
        row.id, row.street, row.postcode, row.town, row.home_lat, row.home_lon, sub_region,
    )
    place = None
    if row.place_id is not None:
        place = PlaceFacts(
            row.place_id, row.place_kind, row.place_name, row.place_sub_region_id,
            row.place_is_active, row.place_is_approved, row.place_has_chilled_shelf,
        )
    return resident, place


def read_products(connection, ids: list[int]) -> dict[int, ProductFacts]:
    """The products of these ids (missing ones are left out), each with its producer."""
    producers: dict[int, ProducerFacts] = {}
    products = {}
    rows = []
    for start in range(0, len(ids), PRODUCTS_PER_STATEMENT):
        batch = ids[start:start + PRODUCTS_PER_STATEMENT]
        rows += _products_statement(len(batch)).all(
            connection, {f"id_{n}": product_id for n, product_id in enumerate(batch)}
        )
    for row in rows:
        producer = producers.get(row.producer_id)
        if producer is None:
            producer = producers[row.producer_id] = ProducerFacts(
                row.producer_id, row.producer_name, row.is_approved,
            )
        products[row.id] = ProductFacts(
            row.id, row.name, row.unit, row.temperature, row.crate_units, row.vat_rate,
            row.price_cents, row.stock, row.is_active, row.available_weekday_mask,
            row.season_start, row.season_end, producer,
        )
    return products
