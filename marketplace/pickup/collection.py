"""An order's stay at its pickup place: put into its compartments by the driver (or received by a
sales point's staff), its pickup code issued and told to the resident, reminded before it
expires, and what the resident is shown of it while the code is valid.

The order's status is not moved here (pickup stands left of orders): the driver's confirmation
has made it delivered already, and handover and expiry live in `orders.collection`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Temperature
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.models import Notification
from marketplace.notifications.services import notify
from marketplace.pickup.codes import issue_pickup_code
from marketplace.pickup.models import (
    Compartment,
    CompartmentReservation,
    ParcelStation,
    PickupCode,
    PickupKind,
    PickupPlace,
    PickupStay,
    SalesPoint,
)
from marketplace.pickup.reservations import fill_compartments, reserve_compartments
from marketplace.pickup.server_keys import pickup_code_cipher

_PLACE = "Paketstation Oberdürenbach-Niederzissen am Brohlbach"
_READY_SAMPLE = {
    "order_number": "LK-2026-123456", "resident_name": "Hildegard Müller-Lüdenscheidt",
    "place_name": _PLACE, "compartments": "K12-A, K12-B", "code_token": None,
    "collect_by_at": "2026-12-30T17:45:00+00:00",
}
register_kind("pickup_ready", sample=_READY_SAMPLE, secret=True)
register_kind("pickup_reminder", sample=_READY_SAMPLE, secret=True)


def _hours(value: int | None, default: timedelta) -> timedelta:
    return timedelta(hours=value) if value else default


@dataclass(frozen=True)
class HoldTimes:
    """How long goods wait to be collected, by the order's coldest class; the reminder before."""

    ambient: timedelta = timedelta(hours=72)
    chilled: timedelta = timedelta(hours=24)
    frozen: timedelta = timedelta(hours=24)
    reminder: timedelta = timedelta(hours=6)

    def for_classes(self, temperatures) -> timedelta:
        by_class = {Temperature.AMBIENT: self.ambient, Temperature.CHILLED: self.chilled,
                    Temperature.FROZEN: self.frozen}
        return min((by_class[Temperature(t)] for t in temperatures), default=self.ambient)

    @classmethod
    def configured(cls, region=None) -> HoldTimes:
        """The installation's hold times, with those a region sets for itself instead."""
        hold = cls.from_config(current_app.config)
        if region is None:
            return hold
        return cls(
            ambient=_hours(region.pickup_hold_ambient_h, hold.ambient),
            chilled=_hours(region.pickup_hold_chilled_h, hold.chilled),
            frozen=_hours(region.pickup_hold_frozen_h, hold.frozen), reminder=hold.reminder,
        )

    @classmethod
    def from_config(cls, config) -> HoldTimes:
        return cls(ambient=timedelta(hours=config["PICKUP_HOLD_AMBIENT_H"]),
                   chilled=timedelta(hours=config["PICKUP_HOLD_CHILLED_H"]),
                   frozen=timedelta(hours=config["PICKUP_HOLD_FROZEN_H"]),
                   reminder=timedelta(hours=config["PICKUP_REMINDER_H"]))


class AlreadyReceived(Conflict):
    code = "already_received"
    message = N_("Diese Bestellung ist schon angenommen.")


def crates_by_temperature(order) -> dict[Temperature, Decimal]:
    """An order's goods in crate units per temperature class."""
    crates: dict[Temperature, Decimal] = defaultdict(Decimal)
    for line in order.lines:
        crates[Temperature(line.temperature)] += Decimal(line.crate_units) * line.quantity
    return dict(crates)


def compartment_labels(order_id: int) -> list[str]:
    """The compartments an order's goods are in (or planned for), by label."""
    return list(db.session.scalars(
        select(Compartment.label).join(CompartmentReservation, CompartmentReservation.compartment_id == Compartment.id)
        .where(CompartmentReservation.order_id == order_id, CompartmentReservation.released_at.is_(None))
        .order_by(Compartment.label)
    ))


def get_stay(order_id: int) -> PickupStay | None:
    return db.session.scalars(select(PickupStay).where(PickupStay.order_id == order_id)).first()


def lock_stay(stay: PickupStay) -> PickupStay:
    """The stay's row locked for this transaction and read afresh: two staff members pressing
    the same button queue, and the second sees what the first did (SQLite has one writer)."""
    return db.session.scalars(
        select(PickupStay).where(PickupStay.id == stay.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _issue_and_tell(order, stay: PickupStay, place: PickupPlace, labels: list[str], *, now: datetime,
                    hold: HoldTimes) -> None:
    stay.received_at = now
    stay.collect_by = now + hold.for_classes(crates_by_temperature(order))
    issue_pickup_code(order, now=now, expires_at=stay.collect_by)
    notify(order.resident, "pickup_ready", _resident_context(order, place, labels, stay),
           order_id=order.id, place_id=place.id if place.kind == PickupKind.SALES_POINT else None, now=now)


def _resident_context(order, place: PickupPlace, labels: list[str], stay: PickupStay) -> dict:
    code = _open_code(order.id)
    return {
        "order_number": order.number, "resident_name": order.resident.name, "place_name": place.name,
        "compartments": ", ".join(labels), "code_token": code.code_ciphertext if code else None,
        "collect_by_at": stay.collect_by.isoformat(),
    }


def _fill(order, station: ParcelStation, now: datetime) -> list[Compartment]:
    """The order's reserved compartments, re-planned where needed; an order without a
    reservation (placed before stations reserved) gets fitting free ones now."""
    has_reservation = db.session.scalar(select(CompartmentReservation.id).where(
        CompartmentReservation.order_id == order.id, CompartmentReservation.released_at.is_(None),
    ).limit(1)) is not None
    if not has_reservation:
        reserve_compartments(station=station, delivery_date=order.delivery_date,
                             crates_by_temperature=crates_by_temperature(order), order_id=order.id)
    return fill_compartments(station=station, order_id=order.id, delivery_date=order.delivery_date, now=now)


def put_into_place(orders, *, now: datetime, hold: HoldTimes | None = None) -> list[PickupStay]:
    """The driver delivered `orders` (all at one pickup place; door orders are skipped).

    At a parcel station each order goes into its compartments, gets its pickup code and the
    resident is told; refuses with NoCompartmentFree (nothing changed) when an order's goods
    fit nowhere. At a sales point the orders wait for the staff to confirm receipt
    (`receive_at_sales_point`). An order that already arrived is left alone. Flushes."""
    stays = []
    for order in orders:
        place = order.pickup_place
        if place is None or get_stay(order.id) is not None:
            continue
        stay = PickupStay(order_id=order.id, pickup_place_id=place.id, arrived_at=now)
        db.session.add(stay)
        if place.kind == PickupKind.STATION:
            labels = [c.label for c in _fill(order, place, now)]
            _issue_and_tell(order, stay, place, labels, now=now,
                            hold=hold or HoldTimes.configured(order.sub_region.region))
        stays.append(stay)
    db.session.flush()
    return stays


def receive_at_sales_point(stay: PickupStay, *, staff, now: datetime, hold: HoldTimes | None = None) -> PickupStay:
    """The sales point's staff confirm they received the order from the driver: the pickup code
    is issued and the resident told. Refused once it was received."""
    stay = lock_stay(stay)
    if stay.received_at is not None:
        raise AlreadyReceived()
    hold = hold or HoldTimes.configured(stay.order.sub_region.region)
    stay.received_by_id = staff.id
    _issue_and_tell(stay.order, stay, stay.pickup_place, [], now=now, hold=hold)
    db.session.flush()
    return stay


def _open_code(order_id: int) -> PickupCode | None:
    return db.session.scalars(select(PickupCode).where(
        PickupCode.order_id == order_id, PickupCode.closed_at.is_(None),
    ).order_by(PickupCode.id.desc())).first()


def reveal_code(token: str | None) -> str | None:
    """The digits of an encrypted code (None for none, or one the server key no longer opens)."""
    if not token:
        return None
    try:
        return pickup_code_cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


@dataclass(frozen=True)
class ResidentPickup:
    """What the order's resident (and no one else) is shown while the code is valid."""

    code: str
    place_id: int
    compartments: list[str]
    collect_by: datetime
    # The notification that told the code: its printable slip (notifications' /zettel/ID.pdf).
    notification_id: int | None = None


def get_resident_pickup(order, *, now: datetime) -> ResidentPickup | None:
    """The order's valid pickup code and where to collect; None when there is none. Callers
    show it only to the order's resident (accounts.permissions.can_see_pickup_code)."""
    code = _open_code(order.id)
    if code is None or code.expires_at <= now or code.used_at is not None:
        return None
    digits = reveal_code(code.code_ciphertext)
    if digits is None:
        return None
    told = db.session.scalar(select(Notification.id).where(
        Notification.order_id == order.id, Notification.kind == "pickup_ready",
        Notification.recipient_id == order.resident_id,
    ).order_by(Notification.id.desc()).limit(1))
    return ResidentPickup(code=digits, place_id=code.pickup_place_id, compartments=compartment_labels(order.id),
                          collect_by=code.expires_at, notification_id=told)


def send_pickup_reminders(*, now: datetime, hold: HoldTimes | None = None) -> int:
    """Remind residents whose goods wait and expire within `hold.reminder`; once per stay."""
    hold = hold or HoldTimes.configured()
    stays = db.session.scalars(
        select(PickupStay).where(
            PickupStay.collect_by.is_not(None), PickupStay.collect_by > now,
            PickupStay.collect_by <= now + hold.reminder, PickupStay.reminded_at.is_(None),
            PickupStay.handed_over_at.is_(None), PickupStay.not_collected_at.is_(None),
        ).options(joinedload(PickupStay.pickup_place)).order_by(PickupStay.id)
    ).all()
    for stay in stays:
        order = stay.order
        notify(order.resident, "pickup_reminder",
               _resident_context(order, stay.pickup_place, compartment_labels(order.id), stay),
               order_id=order.id,
               place_id=stay.pickup_place_id if isinstance(stay.pickup_place, SalesPoint) else None, now=now)
        stay.reminded_at = now
    db.session.flush()
    return len(stays)
