"""What a station's locker reports: doors, temperatures (the cold-chain log) and faults.

A batch is checked whole before anything is stored; then a fault, a door left open or a
temperature above the compartment's limit takes the compartment out of service.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.core.clock import parse_instant
from marketplace.core.errors import N_, InvalidInput
from marketplace.extensions import db
from marketplace.pickup.alerts import alert_out_of_service
from marketplace.pickup.models import Compartment, CompartmentReading, CompartmentState, ParcelStation
from marketplace.pickup.services import take_out_of_service

KINDS = ("door_opened", "door_closed", "temperature", "fault")
MAX_EVENTS = 500
MIN_C, MAX_C = -60, 80          # what a locker's sensor can sensibly report
MAX_AGE = timedelta(days=30)    # a locker that was offline sends what it buffered
MAX_AHEAD = timedelta(seconds=300)


@dataclass(frozen=True)
class Limits:
    chilled_max_c: float = 7.0
    frozen_max_c: float = -15.0
    door_open_max: timedelta = timedelta(seconds=300)

    def max_c(self, temperature: Temperature) -> float | None:
        return {Temperature.CHILLED: self.chilled_max_c, Temperature.FROZEN: self.frozen_max_c}.get(temperature)

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(chilled_max_c=config["PICKUP_CHILLED_MAX_C"], frozen_max_c=config["PICKUP_FROZEN_MAX_C"],
                   door_open_max=timedelta(seconds=config["PICKUP_DOOR_OPEN_MAX_S"]))


@dataclass(frozen=True)
class StationEvent:
    kind: str
    compartment: object
    at: datetime
    value: float | str | None


class InvalidEvent(InvalidInput):
    code = "invalid_event"
    message = N_("Ereignis Nr. %(number)s: „%(field)s“ ist ungültig.")


def _is_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _at(raw: object, now: datetime) -> datetime | None:
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        at = parse_instant(raw)
    except ValueError:
        return None
    if not now - MAX_AGE <= at <= now + MAX_AHEAD:
        return None
    return at


def parse_events(station: ParcelStation, raw: object, *, now: datetime) -> list[StationEvent]:
    """The batch as events of this station's compartments, or InvalidEvent for the first bad one."""
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_EVENTS:
        raise InvalidEvent(number=0, field="events")
    by_label = {c.label: c for c in station.compartments}
    events = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidEvent(number=number, field="event")
        kind, label, value = item.get("kind"), item.get("compartment"), item.get("value")
        if kind not in KINDS:
            raise InvalidEvent(number=number, field="kind")
        if not isinstance(label, str) or label not in by_label:
            raise InvalidEvent(number=number, field="compartment")
        at = _at(item.get("at"), now)
        if at is None:
            raise InvalidEvent(number=number, field="at")
        if kind == "temperature" and not (_is_number(value) and MIN_C <= value <= MAX_C):
            raise InvalidEvent(number=number, field="value")
        if kind == "fault" and not (value is None or _is_number(value) or (isinstance(value, str) and len(value) <= 100)):
            raise InvalidEvent(number=number, field="value")
        events.append(StationEvent(kind, by_label[label], at, value))
    return events


def _readings_logged(events: list[StationEvent]) -> set[tuple[int, datetime]]:
    """(compartment id, time) of the batch's readings that are in the log already."""
    readings = [e for e in events if e.kind == "temperature"]
    if not readings:
        return set()
    rows = db.session.execute(select(CompartmentReading.compartment_id, CompartmentReading.at).where(
        CompartmentReading.compartment_id.in_({e.compartment.id for e in readings}),
        CompartmentReading.at.between(readings[0].at, readings[-1].at),
    ))
    return {(compartment_id, at) for compartment_id, at in rows}


def record_station_events(station: ParcelStation, raw: object, *, now: datetime,
                          limits: Limits = Limits()) -> list[str]:
    """Store a locker's batch of events; returns the labels it took out of service (the
    station's operators are told about each)."""
    events = sorted(parse_events(station, raw, now=now), key=lambda e: e.at)
    logged = _readings_logged(events)
    taken = []
    for event in events:
        compartment, reason = event.compartment, None
        if event.kind == "temperature":
            if (compartment.id, event.at) not in logged:  # a locker resending a batch logs once
                logged.add((compartment.id, event.at))
                db.session.add(CompartmentReading(
                    compartment_id=compartment.id, at=event.at, celsius=Decimal(str(round(event.value, 2))),
                ))
            limit = limits.max_c(compartment.temperature)
            if limit is not None and event.value > limit:
                reason = f"Temperatur {event.value:.1f} °C über {limit:.1f} °C"
        elif event.kind == "door_opened":
            compartment.door_opened_at = compartment.door_opened_at or event.at
        elif event.kind == "door_closed":
            compartment.door_opened_at = None
        else:
            reason = "Störung gemeldet" + (f": {event.value}" if event.value is not None else "")
        if reason and take_out_of_service(compartment, reason=reason, now=event.at):
            alert_out_of_service(compartment, now=now)
            taken.append(compartment.label)
    taken += take_open_doors_out_of_service(station, now=now, limits=limits)
    db.session.flush()
    return taken


def take_open_doors_out_of_service(station: ParcelStation, *, now: datetime,
                                   limits: Limits = Limits()) -> list[str]:
    """Compartments whose door has stayed open too long go out of service (a job may call this)."""
    taken = []
    for compartment in station.compartments:
        opened = compartment.door_opened_at
        if opened is not None and now - opened > limits.door_open_max:
            minutes = int((now - opened).total_seconds() // 60)
            if take_out_of_service(compartment, reason=f"Tür seit {minutes} Minuten offen", now=now):
                alert_out_of_service(compartment, now=now)
                taken.append(compartment.label)
    return taken


def check_open_doors(*, now: datetime, limits: Limits = Limits()) -> list[tuple[int, str]]:
    """Every station: compartments whose door has stayed open too long go out of service, as if
    the locker had sent an event (a scheduled job calls this). Returns (station id, label)."""
    stations = db.session.scalars(
        select(ParcelStation).join(ParcelStation.compartments).where(
            Compartment.door_opened_at.is_not(None),
            Compartment.door_opened_at < now - limits.door_open_max,
            Compartment.state != CompartmentState.OUT_OF_SERVICE,
        ).distinct()
    ).all()
    return [(station.id, label) for station in stations
            for label in take_open_doors_out_of_service(station, now=now, limits=limits)]
