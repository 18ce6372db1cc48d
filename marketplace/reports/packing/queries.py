"""A producer's delivery day, read for packing: pick list, packing list, crate labels.

`load_producer_day` reads a day in two queries whatever its size (the lines with their orders,
residents, sub-regions, pickup places and products in one; the day's cut-off answers in the
other); the pages, the PDFs, the CSVs and the producer API all render from what it returns.
Buyer data is what packing needs: name, order number, pickup place; the street only for door
deliveries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, Temperature, Unit
from marketplace.extensions import db
from marketplace.orders.models import (
    Fulfilment,
    Order,
    OrderLine,
    OrderStatus,
    ProducerDay,
    ProducerDayState,
    ProducerMinimum,
    ProducerOrder,
)
from marketplace.pickup.models import PickupPlace
from marketplace.regions.models import SubRegion

# Orders a producer packs or has packed (not those waiting for payment, expired or cancelled).
SHOWN = (OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED,
         OrderStatus.PICKED_UP, OrderStatus.NOT_COLLECTED, OrderStatus.RETURNED)
TEMPERATURE_ORDER = (Temperature.AMBIENT, Temperature.CHILLED, Temperature.FROZEN)


@dataclass
class PickRow:
    """One product's total over the day."""

    product_id: int
    article_number: str | None
    name: str
    unit: Unit
    temperature: Temperature
    quantity: int = 0
    short_quantity: int = 0
    nominal_weight_g: int | None = None
    weighed_grams: int = 0
    lines_to_weigh: int = 0

    @property
    def packed_quantity(self) -> int:
        return self.quantity - self.short_quantity


@dataclass
class PackOrder:
    """One order's lines of this producer, with what packing may know of the buyer."""

    order_id: int
    number: str
    status: OrderStatus
    resident_name: str
    fulfilment: Fulfilment
    place_name: str | None
    street: str | None          # door deliveries only
    door_town: str | None
    door_window: str | None
    is_packed: bool
    lines: list[OrderLine] = field(default_factory=list)

    @property
    def total_cents(self) -> int:
        return sum(line.total_cents for line in self.lines)

    @property
    def temperatures(self) -> list[Temperature]:
        kept = {line.temperature for line in self.lines if not line.is_fully_short}
        return [t for t in TEMPERATURE_ORDER if t in kept]

    def crate_units(self, temperature: Temperature) -> Decimal:
        return sum((Decimal(line.crate_units) * line.packed_quantity for line in self.lines
                    if line.temperature == temperature), Decimal(0))


@dataclass
class PackGroup:
    """The orders going to one pickup place, or to doors, of one sub-region."""

    sub_region_name: str
    sub_region_slug: str
    fulfilment: Fulfilment
    place_name: str | None
    orders: list[PackOrder] = field(default_factory=list)


@dataclass(frozen=True)
class Label:
    """One crate label: an order's goods of one temperature class."""

    order: PackOrder
    temperature: Temperature
    crate_units: Decimal


@dataclass
class ProducerDaySheet:
    producer_id: int
    day: date
    pick: list[PickRow]
    groups: list[PackGroup]
    answers: list[ProducerDay]
    cutoff_at: datetime | None

    @property
    def orders(self) -> list[PackOrder]:
        return [order for group in self.groups for order in group.orders]

    @property
    def line_count(self) -> int:
        return sum(len(order.lines) for order in self.orders)

    @property
    def total_cents(self) -> int:
        return sum(order.total_cents for order in self.orders)

    @property
    def is_packed(self) -> bool:
        orders = self.orders
        return bool(orders) and all(order.is_packed for order in orders)

    @property
    def awaiting(self) -> list[ProducerDay]:
        return [a for a in self.answers if a.state == ProducerDayState.AWAITING]

    def is_cutoff_passed(self, now: datetime) -> bool:
        return self.cutoff_at is not None and self.cutoff_at <= now

    def labels(self) -> list[Label]:
        return [Label(order, t, order.crate_units(t)) for order in self.orders for t in order.temperatures]


def _day_lines(producer_id: int, day: date) -> list[OrderLine]:
    return list(db.session.scalars(
        select(OrderLine)
        .join(OrderLine.producer_order)
        .join(OrderLine.order)
        .join(Order.resident)
        .join(Order.sub_region)
        .outerjoin(Order.pickup_place)
        .join(OrderLine.product)
        .where(ProducerOrder.producer_id == producer_id, Order.delivery_date == day, Order.status.in_(SHOWN))
        .options(
            # Only what packing shows of the resident, the places and the product: a day of
            # thousands of lines hydrates no password hashes or descriptions.
            contains_eager(OrderLine.producer_order),
            contains_eager(OrderLine.order).contains_eager(Order.resident).load_only(User.name),
            contains_eager(OrderLine.order).contains_eager(Order.sub_region).load_only(SubRegion.name, SubRegion.slug),
            contains_eager(OrderLine.order).contains_eager(Order.pickup_place).load_only(PickupPlace.name, PickupPlace.kind),
            contains_eager(OrderLine.product).load_only(Product.article_number),
        )
        .order_by(SubRegion.name, Order.fulfilment == Fulfilment.DOOR, PickupPlace.name, Order.number,
                  OrderLine.id)
    ))


def _pick_rows(lines: list[OrderLine]) -> list[PickRow]:
    rows: dict[int, PickRow] = {}
    for line in lines:
        row = rows.get(line.product_id)
        if row is None:
            row = rows[line.product_id] = PickRow(
                product_id=line.product_id, article_number=line.product.article_number,
                name=line.product_name, unit=line.unit, temperature=line.temperature,
                nominal_weight_g=line.nominal_weight_g,
            )
        row.quantity += line.quantity
        row.short_quantity += line.short_quantity
        if line.is_variable_weight and line.packed_quantity:
            if line.weight_grams is None:
                row.lines_to_weigh += 1
            else:
                row.weighed_grams += line.weight_grams
    return sorted(rows.values(), key=lambda r: (TEMPERATURE_ORDER.index(r.temperature), r.name.lower()))


def _pack_groups(lines: list[OrderLine]) -> list[PackGroup]:
    groups: dict[tuple, PackGroup] = {}
    orders: dict[int, PackOrder] = {}
    for line in lines:
        order = line.order
        pack = orders.get(order.id)
        if pack is None:
            place = order.pickup_place
            key = (order.sub_region_id, order.fulfilment == Fulfilment.DOOR, place.id if place else None)
            group = groups.get(key)
            if group is None:
                group = groups[key] = PackGroup(
                    sub_region_name=order.sub_region.name, sub_region_slug=order.sub_region.slug,
                    fulfilment=order.fulfilment, place_name=place.name if place else None,
                )
            door = order.fulfilment == Fulfilment.DOOR
            pack = orders[order.id] = PackOrder(
                order_id=order.id, number=order.number, status=order.status,
                resident_name=order.resident.name, fulfilment=order.fulfilment,
                place_name=place.name if place else None, street=order.door_street if door else None,
                door_town=order.door_town if door else None, door_window=order.door_window if door else None,
                is_packed=line.producer_order.packed_at is not None,
            )
            group.orders.append(pack)
        pack.lines.append(line)
    return list(groups.values())


def load_producer_day(producer_id: int, day: date) -> ProducerDaySheet:
    """Everything a producer packs for one delivery day, in two queries."""
    lines = _day_lines(producer_id, day)
    answers = list(db.session.scalars(
        select(ProducerDay).join(ProducerDay.sub_region)
        .where(ProducerDay.producer_id == producer_id, ProducerDay.delivery_date == day)
        .options(contains_eager(ProducerDay.sub_region))
        .order_by(SubRegion.name)
    ))
    cutoff = max((line.order.cutoff_at for line in lines), default=None)
    return ProducerDaySheet(producer_id, day, _pick_rows(lines), _pack_groups(lines), answers, cutoff)


@dataclass(frozen=True)
class DaySummary:
    delivery_date: date
    orders: int
    lines: int
    total_cents: int
    unpacked: int


def list_producer_days(producer_id: int, from_day: date) -> list[DaySummary]:
    """The producer's delivery days from `from_day` on, with orders, lines and what is unpacked."""
    rows = db.session.execute(
        select(Order.delivery_date, func.count(func.distinct(Order.id)), func.count(OrderLine.id),
               func.coalesce(func.sum(OrderLine.total_cents), 0),
               func.count(func.distinct(Order.id)).filter(ProducerOrder.packed_at.is_(None)))
        .select_from(OrderLine).join(OrderLine.producer_order).join(OrderLine.order)
        .where(ProducerOrder.producer_id == producer_id, Order.delivery_date >= from_day,
               Order.status.in_(SHOWN))
        .group_by(Order.delivery_date).order_by(Order.delivery_date)
    )
    return [DaySummary(*row) for row in rows]


def get_producer_line(line_id: int) -> OrderLine | None:
    """An order line with its producer order and order (for the permission check and a change)."""
    return db.session.scalars(
        select(OrderLine).join(OrderLine.producer_order).join(OrderLine.order)
        .where(OrderLine.id == line_id)
        .options(contains_eager(OrderLine.producer_order), contains_eager(OrderLine.order))
    ).first()


def get_producer_day(producer_id: int, day: date, sub_region_slug: str) -> ProducerDay | None:
    return db.session.scalars(
        select(ProducerDay).join(ProducerDay.sub_region)
        .where(ProducerDay.producer_id == producer_id, ProducerDay.delivery_date == day,
               SubRegion.slug == sub_region_slug)
    ).first()


def list_minimums(producer_id: int) -> dict[int, int]:
    """The producer's minimum turnover per delivery day, by sub-region id."""
    return dict(db.session.execute(
        select(ProducerMinimum.sub_region_id, ProducerMinimum.minimum_cents)
        .where(ProducerMinimum.producer_id == producer_id)
    ).all())



def list_region_sub_regions(sub_region_id: int | None) -> list[SubRegion]:
    """The sub-regions of the region that `sub_region_id` lies in, by name."""
    if sub_region_id is None:
        return []
    region_id = select(SubRegion.region_id).where(SubRegion.id == sub_region_id).scalar_subquery()
    return list(db.session.scalars(select(SubRegion).where(SubRegion.region_id == region_id).order_by(SubRegion.name)))
