"""What the driver's phone reports, applied once per `client_event_id`, late events in the order of their time.

The phone records stop and tour events while offline and sends them when a network comes back,
possibly twice, possibly after other events of the same tour. Each event is kept in
`driver_events` with the answer it got; a repeat gets that answer and changes nothing.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.permissions import can_drive
from marketplace.core.errors import DomainError
from marketplace.delivery.models import (
    DriverEvent,
    DriverEventKind,
    DriverEventStatus,
    StopState,
    Tour,
    TourStop,
)
from marketplace.delivery.services.driving import (
    confirm_stop_delivered,
    confirm_stop_partly,
    fail_stop,
    mark_arrived,
)
from marketplace.delivery.services.errors import (
    AfterTourEnd,
    AlreadyDelivered,
    BeforePublication,
    ClientEventIdReused,
    EventInFuture,
    EventRejectedBefore,
    TourAlreadyStarted,
    TourNotPublished,
    TourNotStarted,
    UnknownStop,
    UnknownTour,
)
from marketplace.delivery.services.touring import end_tour, start_tour
from marketplace.extensions import db
from marketplace.pickup.models import Compartment, CompartmentReservation

# Every reason an event may be refused for, by code (the answer's `reason`; its text for the phone).
REJECTIONS: dict[str, type[DomainError]] = {}

# How far past the server's clock an event's time may lie (the phone's clock runs a little ahead).
FUTURE_SLACK = timedelta(minutes=5)
TOUR_KINDS = frozenset({DriverEventKind.TOUR_STARTED, DriverEventKind.TOUR_ENDED})


@dataclass(frozen=True)
class DriverEventInput:
    """One event as the phone sent it (parsed by the API; the service checks it against the tours)."""

    client_event_id: str
    kind: DriverEventKind
    at: datetime
    tour_id: int | None = None
    stop_id: int | None = None
    note: str = ""
    returned_orders: tuple[int, ...] = ()
    empty_crates: int | None = None


@dataclass
class EventResult:
    client_event_id: str
    status: str  # applied, duplicate, rejected
    reason: str | None = None
    error: DomainError | None = field(default=None, repr=False)


def rejection_of(code: str) -> type[DomainError] | None:
    """The refusal a stored reason stands for (to say it again in words)."""
    if not REJECTIONS:
        from marketplace.delivery.services import errors
        from marketplace.orders.transitions import InvalidTransition

        classes = [getattr(errors, name) for name in dir(errors)] + [InvalidTransition]
        REJECTIONS.update({c.code: c for c in classes if isinstance(c, type) and issubclass(c, DomainError)})
    return REJECTIONS.get(code)


def normal_event_id(text: str) -> str:
    """The canonical form of a client event id (a UUID); ValueError otherwise."""
    return str(uuid.UUID(text))


def check_not_in_future(events: list[DriverEventInput], now: datetime) -> None:
    """Refuses the whole batch when an event lies more than five minutes past `now`."""
    for event in events:
        if event.at > now + FUTURE_SLACK:
            raise EventInFuture(client_event_id=event.client_event_id)


def _target(driver: User, event: DriverEventInput) -> tuple[Tour, TourStop | None]:
    """The tour (and stop) the event is about, if the driver drives it; a vanished one is refused."""
    if event.kind in TOUR_KINDS:
        tour = db.session.get(Tour, event.tour_id)
        if tour is None or not can_drive(driver, tour):
            raise UnknownTour()
        return tour, None
    stop = db.session.get(TourStop, event.stop_id)
    if stop is None or not can_drive(driver, stop.tour):
        raise UnknownStop()
    return stop.tour, stop


def _apply(driver: User, event: DriverEventInput, tour: Tour, stop: TourStop | None) -> None:
    """Apply one event at its own time; raises the DomainError that refuses it."""
    at = event.at
    if not tour.is_published:
        raise TourNotPublished()
    if at < tour.published_at:
        raise BeforePublication()
    if tour.ended_at is not None and at > tour.ended_at and event.kind != DriverEventKind.TOUR_STARTED:
        raise AfterTourEnd()
    kind = event.kind
    if kind == DriverEventKind.TOUR_STARTED:
        if tour.started_at is not None:
            # A start recorded late, after a stop event started the tour: the earlier time holds.
            if at >= tour.started_at or (tour.ended_at is not None and at > tour.ended_at):
                raise TourAlreadyStarted()
            tour.started_at = at
            db.session.flush()
        else:
            start_tour(tour, now=at, actor=driver)
    elif kind == DriverEventKind.TOUR_ENDED:
        if tour.started_at is not None and at < tour.started_at:
            raise TourNotStarted()
        end_tour(tour, now=at, empty_crates=event.empty_crates, note=event.note, actor=driver)
    elif stop.state == StopState.DONE:
        raise AlreadyDelivered()
    elif kind == DriverEventKind.ARRIVED:
        mark_arrived(stop, now=at, actor=driver)
    elif kind == DriverEventKind.DELIVERED:
        confirm_stop_delivered(stop, now=at, actor=driver)
    elif kind == DriverEventKind.PARTLY_DELIVERED:
        confirm_stop_partly(stop, note=event.note, returned_order_ids=list(event.returned_orders), now=at,
                            actor=driver)
    else:
        fail_stop(stop, note=event.note, now=at, actor=driver)


def _record(driver: User, event: DriverEventInput, now: datetime, status: DriverEventStatus,
            reason: str | None, answer: dict | None = None) -> DriverEvent:
    row = DriverEvent(driver_id=driver.id, client_event_id=event.client_event_id, kind=event.kind,
                      tour_id=event.tour_id, stop_id=event.stop_id, at=event.at, received_at=now, status=status,
                      reason=reason, note=event.note, answer=answer or {})
    db.session.add(row)
    db.session.flush()
    return row


def _lock_tours(tour_ids: set[int]) -> None:
    """Row locks on the tours touched, in id order: two batches of one tour run one after the other."""
    if tour_ids:
        db.session.execute(select(Tour.id).where(Tour.id.in_(sorted(tour_ids))).order_by(Tour.id).with_for_update())
        # What was loaded before the lock may have changed meanwhile: read it again.
        db.session.expire_all()


def _stored(driver: User, ids: list[str]) -> dict[str, DriverEvent]:
    if not ids:
        return {}
    return {e.client_event_id: e for e in db.session.scalars(select(DriverEvent).where(
        DriverEvent.driver_id == driver.id, DriverEvent.client_event_id.in_(ids)))}


def _tour_ids_of(events: list[DriverEventInput]) -> set[int]:
    ids = {e.tour_id for e in events if e.kind in TOUR_KINDS and e.tour_id}
    stop_ids = [e.stop_id for e in events if e.kind not in TOUR_KINDS and e.stop_id]
    if stop_ids:
        ids |= set(db.session.scalars(select(TourStop.tour_id).where(TourStop.id.in_(stop_ids))))
    return ids


def apply_driver_events(driver: User, events: list[DriverEventInput], *, now: datetime) -> list[EventResult]:
    """Apply a batch from the phone; one result per event, in the order sent.

    Events new to the server are applied in the order of their `at` (ties: as sent); an id seen
    before is `duplicate` (or `rejected` again with its first reason, as it never applied);
    an event that does not fit the tour as it is now is `rejected` with a reason and changes
    nothing. The whole batch is refused (422) when an event lies more than five minutes ahead.
    """
    check_not_in_future(events, now)
    _lock_tours(_tour_ids_of(events))
    stored = _stored(driver, [e.client_event_id for e in events])
    results: dict[int, EventResult] = {}
    fresh: list[tuple[int, DriverEventInput]] = []
    seen: set[str] = set()
    for index, event in enumerate(events):
        earlier = stored.get(event.client_event_id)
        if earlier is not None or event.client_event_id in seen:
            if earlier is not None and earlier.status == DriverEventStatus.REJECTED:
                results[index] = EventResult(event.client_event_id, "rejected", earlier.reason)
            else:
                results[index] = EventResult(event.client_event_id, "duplicate")
            continue
        seen.add(event.client_event_id)
        fresh.append((index, event))
    for index, event in sorted(fresh, key=lambda pair: (pair[1].at, pair[0])):
        savepoint = db.session.begin_nested()
        try:
            tour, stop = _target(driver, event)
            _apply(driver, event, tour, stop)
            savepoint.commit()
        except DomainError as error:
            savepoint.rollback()
            _record(driver, event, now, DriverEventStatus.REJECTED, error.code)
            results[index] = EventResult(event.client_event_id, "rejected", error.code, error)
            continue
        answer = delivered_answer(stop) if event.kind == DriverEventKind.DELIVERED else None
        _record(driver, event, now, DriverEventStatus.APPLIED, None, answer)
        results[index] = EventResult(event.client_event_id, "applied")
    return [results[i] for i in range(len(events))]


def delivered_answer(stop: TourStop) -> dict:
    """The stop endpoint's answer: each order with the compartments it holds at its station."""
    order_ids = [link.order_id for link in stop.orders]
    labels: dict[int, list[str]] = {}
    if order_ids:
        for order_id, label in db.session.execute(
                select(CompartmentReservation.order_id, Compartment.label).join(CompartmentReservation.compartment)
                .where(CompartmentReservation.order_id.in_(order_ids),
                       CompartmentReservation.delivery_date == stop.tour.delivery_date,
                       CompartmentReservation.released_at.is_(None))
                .order_by(Compartment.label)):
            labels.setdefault(order_id, []).append(label)
    return {"stop_id": stop.id, "orders": [
        {"id": link.order_id, "number": link.order.number, "compartments": labels.get(link.order_id, [])}
        for link in stop.orders]}


def deliver_stop_once(driver: User, stop: TourStop, *, client_event_id: str, at: datetime,
                      now: datetime) -> dict:
    """Confirm the stop delivered once per `client_event_id`: the same id again gets the first
    answer and changes nothing; another id for a stop already done is refused (`already_delivered`).
    A stop of a tour not started yet starts it. The caller checked that the driver drives it."""
    event = DriverEventInput(client_event_id, DriverEventKind.DELIVERED, at, stop_id=stop.id)
    _lock_tours({stop.tour_id})
    earlier = _stored(driver, [client_event_id]).get(client_event_id)
    if earlier is not None:
        if earlier.kind != DriverEventKind.DELIVERED or earlier.stop_id != stop.id:
            raise ClientEventIdReused()
        if earlier.status == DriverEventStatus.REJECTED:
            raise EventRejectedBefore()
        return earlier.answer or delivered_answer(stop)
    check_not_in_future([event], now)
    _apply(driver, event, stop.tour, stop)
    answer = delivered_answer(stop)
    _record(driver, event, now, DriverEventStatus.APPLIED, None, answer)
    return answer
