"""Alerts to a pickup place's people through the notifications outbox, in the caller's
transaction: a locked keypad, a compartment the locker took out of service (operators), goods
nobody collected in time that must be emptied (operators or the sales point's staff)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.accounts.models import Membership, Role, User
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.pickup.models import Compartment, ParcelStation, PickupKind, PickupPlace

_STATION = "Paketstation Oberdürenbach-Niederzissen am Brohlbach"
register_kind("keypad_locked", sample={
    "station_name": _STATION, "locked_until_at": "2026-12-30T17:45:00+00:00", "misses": 10,
})
register_kind("pickup_expired", sample={
    "place_name": _STATION, "order_number": "LK-2026-123456", "compartments": "K12-A, K12-B",
    "arrived_at": "2026-12-29T09:45:00+00:00",
})
register_kind("compartment_out_of_service", sample={
    "station_name": _STATION, "compartment": "K12-A",
    "reason": "Temperatur 19,5 °C über 7,0 °C", "since_at": "2026-12-30T17:45:00+00:00",
})


def list_operators(station_id: int, role: Role = Role.OPERATOR) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == role, Membership.pickup_place_id == station_id)
        .order_by(User.id)
    ))


def _tell_operators(station: ParcelStation, kind: str, context: dict, now: datetime) -> int:
    operators = list_operators(station.id)
    for operator in operators:
        notify(operator, kind, {"station_name": station.name, **context}, now=now)
    return len(operators)


def alert_keypad_locked(station: ParcelStation, *, locked_until: datetime | None, misses: int,
                        now: datetime) -> int:
    """locked_until None: locked until an operator releases it."""
    return _tell_operators(station, "keypad_locked", {
        "locked_until_at": locked_until.isoformat() if locked_until else None, "misses": misses,
    }, now)


def alert_out_of_service(compartment: Compartment, *, now: datetime) -> int:
    return _tell_operators(compartment.station, "compartment_out_of_service", {
        "compartment": compartment.label, "reason": compartment.out_of_service_reason or "",
        "since_at": (compartment.out_of_service_since or now).isoformat(),
    }, now)


def alert_expired(place: PickupPlace, *, order_number: str, labels: list[str], arrived_at: datetime,
                  now: datetime) -> int:
    """Tell the station's operators (the sales point's staff) what to empty."""
    role = Role.OPERATOR if place.kind == PickupKind.STATION else Role.SALES_POINT_STAFF
    people = list_operators(place.id, role)
    for person in people:
        notify(person, "pickup_expired", {
            "place_name": place.name, "order_number": order_number, "compartments": ", ".join(labels),
            "arrived_at": arrived_at.isoformat(),
        }, now=now)
    return len(people)
