"""Changes to compartments: added, changed, out of service and back with the reason the operator sees."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.core.clock import local_today
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.pickup.models import (
    Compartment,
    CompartmentReservation,
    CompartmentSize,
    CompartmentState,
    ParcelStation,
)


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


class LabelTaken(Conflict):
    code = "label_taken"
    message = N_("Diese Station hat schon ein Fach „%(label)s“.")


class CompartmentInUse(Conflict):
    code = "compartment_in_use"
    message = N_("Fach %(label)s ist für Bestellungen eingeplant und kann nicht geändert werden.")


def add_compartment(station: ParcelStation, *, label: str, size: CompartmentSize,
                    temperature: Temperature) -> Compartment:
    """A new, free compartment; its label is unique at the station."""
    if any(c.label == label for c in station.compartments):
        raise LabelTaken(label=label)
    compartment = Compartment(label=label, size=size, temperature=temperature, state=CompartmentState.FREE)
    station.compartments.append(compartment)
    db.session.flush()
    return compartment


def change_compartment(compartment: Compartment, *, size: CompartmentSize, temperature: Temperature,
                       now: datetime) -> None:
    """Size and temperature class; refused while a live reservation from today on counts on them."""
    planned = db.session.scalar(select(CompartmentReservation.id).where(
        CompartmentReservation.compartment_id == compartment.id,
        CompartmentReservation.released_at.is_(None),
        CompartmentReservation.delivery_date >= local_today(now),
    ).limit(1))
    if planned is not None and (size != compartment.size or temperature != compartment.temperature):
        raise CompartmentInUse(label=compartment.label)
    compartment.size, compartment.temperature = size, temperature
    db.session.flush()
