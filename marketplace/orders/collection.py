"""Goods leave their pickup place: handed over by a sales point's staff (code checked, or name and
address on the ID card), recorded as not collected, expired by the `jobs tick` job, and what was
done with goods nobody collected. Every step moves the order through `move_order`."""
from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import select, update

from marketplace.accounts.models import User
from marketplace.core.errors import N_, Conflict, DomainError, InvalidInput
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.transitions import move_order, record_event
from marketplace.pickup.alerts import alert_expired
from marketplace.pickup.codes import code_digest
from marketplace.pickup.collection import compartment_labels, lock_stay
from marketplace.pickup.models import (
    CompartmentReservation,
    CompartmentState,
    EmptyOutcome,
    HowIdentified,
    PickupCode,
    PickupStay,
)
from marketplace.pickup.reservations import release_reservations


class WrongCode(InvalidInput):
    code = "wrong_code"
    message = N_("Der Abholcode stimmt nicht oder ist abgelaufen.")


class NotWaiting(Conflict):
    code = "not_waiting"
    message = N_("Diese Bestellung wartet nicht auf Abholung.")


class NotPaidAtPickup(Conflict):
    code = "not_paid_at_pickup"
    message = N_("Diese Bestellung wird nicht bei der Abholung bezahlt, oder die Zahlung ist schon erfasst.")


class NothingToEmpty(Conflict):
    code = "nothing_to_empty"
    message = N_("Für diese Bestellung ist nichts zu räumen.")


def list_orders_at(place_id: int, day) -> list[tuple[Order, PickupStay | None]]:
    """A pickup place's orders of a delivery day (cancelled and unpaid-expired ones left out),
    each with its stay once the driver brought it."""
    rows = db.session.execute(
        select(Order, PickupStay).outerjoin(PickupStay, PickupStay.order_id == Order.id)
        .where(Order.pickup_place_id == place_id, Order.delivery_date == day,
               Order.status.not_in([OrderStatus.CANCELLED, OrderStatus.EXPIRED]))
        .order_by(Order.number)
    ).all()
    return [(order, stay) for order, stay in rows]


def list_stays_to_empty(place_id: int) -> list[PickupStay]:
    """Goods nobody collected that still wait for someone to record what was done with them."""
    return list(db.session.scalars(select(PickupStay).where(
        PickupStay.pickup_place_id == place_id, PickupStay.not_collected_at.is_not(None),
        PickupStay.outcome.is_(None),
    ).order_by(PickupStay.not_collected_at)))


def list_waiting_stays(place_id: int) -> list[PickupStay]:
    """Received and waiting to be handed over, oldest first."""
    return list(db.session.scalars(select(PickupStay).where(
        PickupStay.pickup_place_id == place_id, PickupStay.received_at.is_not(None),
        PickupStay.handed_over_at.is_(None), PickupStay.not_collected_at.is_(None),
    ).order_by(PickupStay.received_at)))


def is_waiting(stay: PickupStay) -> bool:
    """Received at its place, neither handed over nor given up yet."""
    return stay.received_at is not None and stay.handed_over_at is None and stay.not_collected_at is None


def _open_codes(order_id: int):
    return select(PickupCode).where(PickupCode.order_id == order_id, PickupCode.closed_at.is_(None))


def _close_codes(order_id: int, now: datetime) -> None:
    db.session.execute(update(PickupCode).where(
        PickupCode.order_id == order_id, PickupCode.closed_at.is_(None),
    ).values(closed_at=now))


def _code_matches(stay: PickupStay, code: object, now: datetime) -> PickupCode | None:
    if not isinstance(code, str):
        return None
    digest = code_digest(stay.pickup_place_id, code.strip())
    for candidate in db.session.scalars(_open_codes(stay.order_id)):
        if candidate.expires_at > now and hmac.compare_digest(candidate.digest, digest):
            return candidate
    return None


def hand_over(stay: PickupStay, *, staff: User, identified_by: HowIdentified, code: str | None = None,
              now: datetime) -> Order:
    """The sales point's staff hand the order over after checking its code, or (code lost) the
    name and address on the resident's ID card; logged on the stay, the order picked up.
    A wrong or expired code refuses with WrongCode and changes nothing."""
    stay = lock_stay(stay)
    if not is_waiting(stay):
        raise NotWaiting()
    identified_by = HowIdentified(identified_by)
    if identified_by == HowIdentified.CODE:
        found = _code_matches(stay, code, now)
        if found is None:
            raise WrongCode()
        found.used_at = now
    elif identified_by != HowIdentified.ID_CARD:
        raise WrongCode()
    _close_codes(stay.order_id, now)
    stay.handed_over_at, stay.handed_over_by_id, stay.identified_by = now, staff.id, identified_by
    release_reservations(order_id=stay.order_id, now=now)
    move_order(stay.order, OrderStatus.PICKED_UP, now=now, actor=staff, kind="handed_over",
               note=identified_by.value)
    return stay.order


def record_paid(stay: PickupStay, *, staff: User, now: datetime) -> PickupStay:
    """The resident paid the order's total at the sales point (pay on pickup only, once)."""
    stay = lock_stay(stay)
    order = stay.order
    if order.payment_method != PaymentMethod.PAY_ON_PICKUP or stay.paid_at is not None:
        raise NotPaidAtPickup()
    if stay.received_at is None or stay.not_collected_at is not None:
        raise NotWaiting()
    stay.paid_at, stay.paid_cents, stay.paid_recorded_by_id = now, order.total_cents, staff.id
    record_event(order, "paid_at_pickup", now=now, actor=staff, note=str(order.total_cents))
    return stay


def _give_up(stay: PickupStay, *, now: datetime, actor: User | None, kind: str) -> None:
    _close_codes(stay.order_id, now)
    stay.not_collected_at = now
    move_order(stay.order, OrderStatus.NOT_COLLECTED, now=now, actor=actor, kind=kind)


def record_not_collected(stay: PickupStay, *, staff: User, now: datetime) -> PickupStay:
    """The staff record that the resident did not collect the order (or refused to pay)."""
    stay = lock_stay(stay)
    if not is_waiting(stay):
        raise NotWaiting()
    _give_up(stay, now=now, actor=staff, kind="not_collected")
    return stay


def expire_uncollected(*, now: datetime) -> int:
    """Goods whose collect-by time has passed: the code stops working, the order is not
    collected (its goods refunded by the payments' hook, or owed while the gateway is away), and
    the place's operators or staff are told what to empty. One that a hook refuses waits for the
    next run. Returns how many."""
    stays = db.session.scalars(select(PickupStay).where(
        PickupStay.collect_by <= now, PickupStay.handed_over_at.is_(None),
        PickupStay.not_collected_at.is_(None), PickupStay.received_at.is_not(None),
    ).order_by(PickupStay.id).with_for_update(skip_locked=True)).all()
    expired = 0
    for stay in stays:
        if stay.order.status != OrderStatus.DELIVERED:
            continue
        try:
            with db.session.begin_nested():
                _give_up(stay, now=now, actor=None, kind="expired_at_pickup")
                alert_expired(stay.pickup_place, order_number=stay.order.number,
                              labels=compartment_labels(stay.order_id), arrived_at=stay.arrived_at, now=now)
        except DomainError:
            continue  # a hook refused it: the next run tries again
        expired += 1
    db.session.flush()
    return expired


def record_outcome(stay: PickupStay, *, outcome: EmptyOutcome, actor: User, now: datetime) -> PickupStay:
    """What was done with goods nobody collected: the compartments become free, the room is
    given back, and the order is returned."""
    stay = lock_stay(stay)
    if stay.not_collected_at is None or stay.outcome is not None:
        raise NothingToEmpty()
    reservations = db.session.scalars(select(CompartmentReservation).where(
        CompartmentReservation.order_id == stay.order_id, CompartmentReservation.released_at.is_(None),
    )).all()
    for reservation in reservations:
        if reservation.compartment.state != CompartmentState.OUT_OF_SERVICE:
            reservation.compartment.state = CompartmentState.FREE
    release_reservations(order_id=stay.order_id, now=now)
    stay.outcome, stay.outcome_at, stay.outcome_by_id = EmptyOutcome(outcome), now, actor.id
    move_order(stay.order, OrderStatus.RETURNED, now=now, actor=actor, kind=f"emptied_{stay.outcome.value}")
    return stay
