"""Demo data for parcel stations: the demo's station orders get their compartments planned, as the
checkout reserves them, so the operator sees which compartment waits for which order."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.pickup.collection import crates_by_temperature
from marketplace.pickup.models import CompartmentReservation, ParcelStation
from marketplace.pickup.reservations import NoCompartmentFree, reserve_compartments

_ON_THE_WAY = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.IN_TRANSIT)


def plan_demo_compartments() -> int:
    """Reserve compartments for station orders that have none yet (idempotent); returns how many
    orders got them. An order that fits nowhere keeps none: the driver's delivery tries again."""
    reserved = select(CompartmentReservation.order_id).where(CompartmentReservation.released_at.is_(None))
    orders = db.session.scalars(
        select(Order).join(ParcelStation, ParcelStation.id == Order.pickup_place_id)
        .where(Order.status.in_(_ON_THE_WAY), Order.id.not_in(reserved))
        .order_by(Order.delivery_date, Order.id)
    ).all()
    planned = 0
    for order in orders:
        try:
            reserve_compartments(station=order.pickup_place, delivery_date=order.delivery_date,
                                 crates_by_temperature=crates_by_temperature(order), order_id=order.id)
        except NoCompartmentFree:
            continue
        planned += 1
    db.session.flush()
    return planned
