"""Goods the driver delivered to a sales point whose staff have not confirmed receipt.

Until the staff confirm (`collection.receive_at_sales_point`) there is no pickup code and the
resident is not told: nobody should be sent to collect goods nobody has seen. So receipt is never
assumed; instead the job `remind_unconfirmed_receipts` reminds the sales point's staff after
`ReceiptDelays.remind`, and tells the sub-region's coordinators after `ReceiptDelays.escalate`,
each once per stay.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import Membership, Role, User
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.pickup.alerts import list_operators
from marketplace.pickup.models import PickupKind, PickupPlace, PickupStay

_SAMPLE = {
    "place_name": "Dorfgemeinschaftshaus Oberdürenbach-Niederzissen am Brohlbach",
    "order_numbers": "LK-2026-123456, LK-2026-123457, LK-2026-123458", "count": 12,
    "arrived_at": "2026-12-30T09:45:00+00:00",
}
STAFF_KIND, COORDINATOR_KIND = "receipt_overdue", "receipt_overdue_coordinator"
register_kind(STAFF_KIND, sample=_SAMPLE)
register_kind(COORDINATOR_KIND, sample=_SAMPLE)


@dataclass(frozen=True)
class ReceiptDelays:
    """After how long from the driver's delivery the staff are reminded, and the coordinators told."""

    remind: timedelta = timedelta(hours=2)
    escalate: timedelta = timedelta(hours=8)

    @classmethod
    def from_config(cls, config) -> ReceiptDelays:
        return cls(remind=timedelta(hours=config.get("PICKUP_RECEIPT_REMINDER_H", 2)),
                   escalate=timedelta(hours=config.get("PICKUP_RECEIPT_ESCALATION_H", 8)))


def _unconfirmed(arrived_before: datetime, marked_column) -> list[PickupStay]:
    stays = db.session.scalars(
        select(PickupStay).join(PickupPlace, PickupPlace.id == PickupStay.pickup_place_id)
        .where(PickupPlace.kind == PickupKind.SALES_POINT, PickupStay.received_at.is_(None),
               PickupStay.handed_over_at.is_(None), PickupStay.not_collected_at.is_(None),
               PickupStay.arrived_at <= arrived_before, marked_column.is_(None))
        .order_by(PickupStay.pickup_place_id, PickupStay.arrived_at, PickupStay.id)
        .with_for_update(skip_locked=True)
    ).all()
    # Only goods still waiting as delivered (pickup does not import the orders' states).
    return [stay for stay in stays if str(stay.order.status) == "delivered"]


def list_coordinators(sub_region_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == Role.COORDINATOR, Membership.sub_region_id == sub_region_id)
        .order_by(User.id)
    ))


def _tell(stays: list[PickupStay], kind: str, people_of, *, now: datetime) -> None:
    by_place: dict[int, list[PickupStay]] = defaultdict(list)
    for stay in stays:
        by_place[stay.pickup_place_id].append(stay)
    for place_stays in by_place.values():
        place = place_stays[0].pickup_place
        context = {
            "place_name": place.name, "count": len(place_stays),
            "order_numbers": ", ".join(stay.order.number for stay in place_stays),
            "arrived_at": place_stays[0].arrived_at.isoformat(),
        }
        for person in people_of(place):
            notify(person, kind, context, place_id=place.id, now=now)


def remind_unconfirmed_receipts(*, now: datetime, delays: ReceiptDelays | None = None) -> int:
    """Remind the staff of goods unconfirmed for `delays.remind`, tell the coordinators of those
    unconfirmed for `delays.escalate`; each once per stay. Returns how many stays were told
    about (a stay counts twice when both happen in one run). Flushes."""
    delays = delays or ReceiptDelays.from_config(current_app.config)
    to_remind = _unconfirmed(now - delays.remind, PickupStay.receipt_reminded_at)
    _tell(to_remind, STAFF_KIND, lambda place: list_operators(place.id, Role.SALES_POINT_STAFF), now=now)
    for stay in to_remind:
        stay.receipt_reminded_at = now
    to_escalate = _unconfirmed(now - delays.escalate, PickupStay.receipt_escalated_at)
    _tell(to_escalate, COORDINATOR_KIND, lambda place: list_coordinators(place.sub_region_id), now=now)
    for stay in to_escalate:
        stay.receipt_escalated_at = now
    db.session.flush()
    return len(to_remind) + len(to_escalate)
