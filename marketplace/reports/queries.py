"""Figures for the start pages of each role; reads only."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import Membership, Role, User
from marketplace.catalog.models import Producer, Product
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, ProducerOrder
from marketplace.pickup.models import Compartment, PickupPlace
from marketplace.regions.models import DeliverySchedule, Municipality, Place, SubRegion
from marketplace.regions.schedule import DeliveryDay, list_sub_region_delivery_days


def list_next_delivery_days(sub_region: SubRegion, now: datetime, count: int = 4) -> list[DeliveryDay]:
    return list_sub_region_delivery_days(sub_region, now=now, count=count)


def list_pickup_places(sub_region_id: int) -> list[PickupPlace]:
    return list(
        db.session.scalars(
            select(PickupPlace)
            .where(PickupPlace.sub_region_id == sub_region_id, PickupPlace.is_active.is_(True))
            .options(selectinload(PickupPlace.opening_hours))
            .order_by(PickupPlace.kind, PickupPlace.name)
        )
    )


def count_products_by_stock_state(producer_id: int, few_left: int = 5) -> dict[str, int]:
    rows = db.session.execute(
        select(Product.stock).where(Product.producer_id == producer_id, Product.is_active.is_(True))
    ).scalars()
    counts: Counter[str] = Counter()
    for stock in rows:
        if stock is None:
            counts["made_to_order"] += 1
        elif stock == 0:
            counts["sold_out"] += 1
        elif stock <= few_left:
            counts["few_left"] += 1
        else:
            counts["in_stock"] += 1
    return dict(counts)


@dataclass(frozen=True)
class DayLines:
    delivery_date: date
    orders: int
    lines: list[OrderLine]


def list_producer_lines_by_day(producer_id: int, from_day: date) -> list[DayLines]:
    """The producer's own lines of open orders, grouped by delivery day."""
    open_states = [OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED]
    lines = db.session.scalars(
        select(OrderLine)
        .join(OrderLine.producer_order)
        .join(ProducerOrder.order)
        .where(
            ProducerOrder.producer_id == producer_id,
            Order.delivery_date >= from_day,
            Order.status.in_(open_states),
        )
        .options(selectinload(OrderLine.order))
        .order_by(Order.delivery_date, Order.id, OrderLine.id)
    ).all()
    grouped: dict[date, list[OrderLine]] = {}
    for line in lines:
        grouped.setdefault(line.order.delivery_date, []).append(line)
    return [
        DayLines(day, len({line.order_id for line in day_lines}), day_lines)
        for day, day_lines in grouped.items()
    ]


def count_compartments(station_id: int) -> dict[tuple[str, str, str], int]:
    rows = db.session.execute(
        select(Compartment.size, Compartment.temperature, Compartment.state, func.count())
        .where(Compartment.station_id == station_id)
        .group_by(Compartment.size, Compartment.temperature, Compartment.state)
    )
    return {(str(s), str(t), str(st)): n for s, t, st, n in rows}


@dataclass(frozen=True)
class SubRegionFigures:
    sub_region: SubRegion
    places: int
    producers: int
    pending_producers: int
    pickup_places: int
    pending_pickup_places: int
    open_orders: int


def get_sub_region_figures(sub_region: SubRegion) -> SubRegionFigures:
    place_ids = select(Place.id).join(Place.municipality).where(
        Municipality.sub_region_id == sub_region.id
    )
    producers = db.session.execute(
        select(Producer.is_approved, func.count())
        # Declined applications are neither listed nor waiting.
        .where(Producer.place_id.in_(place_ids), Producer.is_approved | Producer.decided_at.is_(None))
        .group_by(Producer.is_approved)
    ).all()
    pickups = db.session.execute(
        select(PickupPlace.is_approved, func.count())
        .where(PickupPlace.sub_region_id == sub_region.id)
        .group_by(PickupPlace.is_approved)
    ).all()
    open_orders = db.session.scalar(
        select(func.count()).select_from(Order).where(
            Order.sub_region_id == sub_region.id,
            Order.status.in_([OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED]),
        )
    )
    producer_counts = dict(producers)
    pickup_counts = dict(pickups)
    return SubRegionFigures(
        sub_region=sub_region,
        places=db.session.scalar(select(func.count()).select_from(place_ids.subquery())) or 0,
        producers=producer_counts.get(True, 0),
        pending_producers=producer_counts.get(False, 0),
        pickup_places=pickup_counts.get(True, 0),
        pending_pickup_places=pickup_counts.get(False, 0),
        open_orders=open_orders or 0,
    )


def get_schedule(sub_region_id: int) -> DeliverySchedule | None:
    return db.session.scalars(
        select(DeliverySchedule).where(DeliverySchedule.sub_region_id == sub_region_id)
    ).first()


def list_coordinators(region_id: int) -> dict[int, list[str]]:
    """Names of the coordinators per sub-region of a region."""
    rows = db.session.execute(
        select(Membership.sub_region_id, User.name)
        .join(User, Membership.user_id == User.id)
        .join(SubRegion, Membership.sub_region_id == SubRegion.id)
        .where(Membership.role == Role.COORDINATOR, SubRegion.region_id == region_id)
        .order_by(User.name)
    )
    result: dict[int, list[str]] = {}
    for sub_region_id, name in rows:
        result.setdefault(sub_region_id, []).append(name)
    return result
