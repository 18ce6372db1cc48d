"""Reads for the operator's station pages: own stations, a day's reservations, the keypad."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.pickup.models import (
    Compartment,
    CompartmentReservation,
    CompartmentState,
    KeypadState,
    ParcelStation,
)


def list_stations(station_ids: list[int]) -> list[ParcelStation]:
    if not station_ids:
        return []
    return list(db.session.scalars(
        select(ParcelStation).where(ParcelStation.id.in_(station_ids)).order_by(ParcelStation.name)
    ))


def list_reservations_on(station_id: int, day: date) -> list[CompartmentReservation]:
    """The live reservations of a station's compartments for a delivery day, by label."""
    return list(db.session.scalars(
        select(CompartmentReservation).join(CompartmentReservation.compartment)
        .where(Compartment.station_id == station_id, CompartmentReservation.delivery_date == day,
               CompartmentReservation.released_at.is_(None))
        .options(joinedload(CompartmentReservation.order), joinedload(CompartmentReservation.compartment))
        .order_by(Compartment.label)
    ))


def list_planned_days(station_id: int, since: date, limit: int = 14) -> list[tuple[date, int]]:
    """The coming delivery days (from `since`) with compartments planned at the station, and how
    many compartments each, earliest first."""
    return [tuple(row) for row in db.session.execute(
        select(CompartmentReservation.delivery_date, func.count())
        .join(CompartmentReservation.compartment)
        .where(Compartment.station_id == station_id, CompartmentReservation.delivery_date >= since,
               CompartmentReservation.released_at.is_(None))
        .group_by(CompartmentReservation.delivery_date)
        .order_by(CompartmentReservation.delivery_date).limit(limit)
    )]


def get_keypad(station_id: int) -> KeypadState | None:
    return db.session.get(KeypadState, station_id)


def list_waiting(station_id: int) -> list[CompartmentReservation]:
    """Orders in the station's compartments waiting to be collected, oldest delivery day first."""
    return list(db.session.scalars(
        select(CompartmentReservation).join(CompartmentReservation.compartment)
        .where(Compartment.station_id == station_id, Compartment.state == CompartmentState.OCCUPIED,
               CompartmentReservation.released_at.is_(None))
        .options(joinedload(CompartmentReservation.order), joinedload(CompartmentReservation.compartment))
        .order_by(CompartmentReservation.delivery_date, Compartment.label)
    ))
