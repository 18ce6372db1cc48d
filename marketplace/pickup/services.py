"""Changes to compartments: out of service and back, with the reason the operator sees."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.core.clock import local_today
from marketplace.extensions import db
from marketplace.pickup.models import Compartment, CompartmentReservation, CompartmentState


def take_out_of_service(compartment: Compartment, *, reason: str, now: datetime) -> bool:
    """Take a compartment out of service; False if it already was (its first reason stays)."""
    if compartment.state == CompartmentState.OUT_OF_SERVICE:
        return False
    compartment.state = CompartmentState.OUT_OF_SERVICE
    compartment.out_of_service_reason = reason[:200]
    compartment.out_of_service_since = now
    db.session.flush()
    return True


def return_to_service(compartment: Compartment, *, now: datetime) -> None:
    """Back in service: occupied if an order's goods are due in it by today, else free."""
    holds_goods = db.session.scalar(select(CompartmentReservation.id).where(
        CompartmentReservation.compartment_id == compartment.id,
        CompartmentReservation.released_at.is_(None),
        CompartmentReservation.delivery_date <= local_today(now),
    ).limit(1)) is not None
    compartment.state = CompartmentState.OCCUPIED if holds_goods else CompartmentState.FREE
    compartment.out_of_service_reason = compartment.out_of_service_since = None
    compartment.door_opened_at = None
    db.session.flush()
