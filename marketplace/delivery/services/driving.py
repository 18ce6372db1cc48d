"""Publishing tours and what the driver records at each stop."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.delivery.models import (
    StopKind,
    StopOutcome,
    StopProblem,
    StopState,
    Tour,
    TourStatus,
    TourStop,
)
from marketplace.delivery.services.assigning import assign_only_driver
from marketplace.delivery.services.errors import (
    NotAStop,
    NothingToPublish,
    OrderNotAtStop,
    ReasonRequired,
    StopAlreadyDone,
    TourNotPublished,
)
from marketplace.delivery.services.touring import start_tour
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.orders.transitions import move_order, record_event
from marketplace.pickup.collection import put_into_place
from marketplace.regions.models import SubRegion


def publish_tours(*, day: date, sub_region: SubRegion, now: datetime) -> int:
    """Publish the planned tours of the day; their drivers see them from now on.

    In a sub-region with exactly one driver, every tour nobody is assigned to goes to that driver.
    """
    tours = db.session.scalars(select(Tour).where(
        Tour.delivery_date == day, Tour.sub_region_id == sub_region.id, Tour.status == TourStatus.PLANNED)).all()
    if not tours:
        raise NothingToPublish()
    for tour in tours:
        tour.status, tour.published_at = TourStatus.PUBLISHED, now
    db.session.flush()
    assign_only_driver(tours, sub_region.id)
    return len(tours)


_PATH = {
    OrderStatus.CONFIRMED: (OrderStatus.PACKED, "packed_at_loading"),
    OrderStatus.PACKED: (OrderStatus.IN_TRANSIT, "on_tour"),
    OrderStatus.IN_TRANSIT: (OrderStatus.DELIVERED, "delivered"),
}


def _check_open_stop(stop: TourStop) -> None:
    """A driver records only at a real stop of a published tour that is not done yet."""
    if not stop.tour.is_published:
        raise TourNotPublished()
    if stop.kind == StopKind.DEPOT:
        raise NotAStop()
    if stop.state == StopState.DONE:
        raise StopAlreadyDone()


def _start_if_needed(stop: TourStop, now: datetime, actor: User | None) -> None:
    """A stop recorded on a tour not started yet starts it (the driver forgot the button)."""
    if stop.tour.started_at is None:
        start_tour(stop.tour, now=now, actor=actor)


def _hand_over(stop: TourStop, links, *, now: datetime, actor: User | None) -> None:
    for link in links:
        order = link.order
        # Orders still confirmed or packed went on the tour when it was loaded.
        while order.status in _PATH:
            to, kind = _PATH[order.status]
            move_order(order, to, now=now, actor=actor, kind=kind, note=f"Tour {stop.tour_id}, Halt {stop.sequence}")


def _finish(stop: TourStop, outcome: StopOutcome, now: datetime, note: str = "") -> None:
    stop.state, stop.done_at, stop.outcome, stop.problem = StopState.DONE, now, outcome, None
    if note:
        stop.problem_note = note


def confirm_stop_delivered(stop: TourStop, *, now: datetime, actor: User | None = None) -> TourStop:
    """The driver handed the stop's orders over: each moves on to delivered, with an event per step.

    A stop of a tour not started yet starts the tour first.
    """
    _check_open_stop(stop)
    _start_if_needed(stop, now, actor)
    _hand_over(stop, stop.orders, now=now, actor=actor)
    _finish(stop, StopOutcome.DELIVERED, now)
    db.session.flush()
    on_stop_delivered(stop, now)
    return stop


def confirm_stop_partly(stop: TourStop, *, note: str, returned_order_ids: list[int] = (), now: datetime,
                        actor: User | None = None) -> TourStop:
    """Some of the stop was handed over: the orders in `returned_order_ids` stay in the van and
    come back to the hub, the others are delivered; `note` says what was missing (required)."""
    note = (note or "").strip()
    if not note:
        raise ReasonRequired()
    _check_open_stop(stop)
    at_stop = {link.order_id for link in stop.orders}
    returned = set(returned_order_ids)
    if not returned <= at_stop:
        raise OrderNotAtStop()
    _start_if_needed(stop, now, actor)
    _hand_over(stop, [link for link in stop.orders if link.order_id not in returned], now=now, actor=actor)
    for link in stop.orders:
        if link.order_id in returned:
            record_event(link.order, "delivery_failed", now=now, actor=actor, note=note)
    _finish(stop, StopOutcome.PARTLY, now, note)
    db.session.flush()
    on_stop_delivered(stop, now)
    return stop


def fail_stop(stop: TourStop, *, note: str, now: datetime, actor: User | None = None) -> TourStop:
    """Nothing could be handed over here (`note` says why, required): the orders come back to the hub."""
    note = (note or "").strip()
    if not note:
        raise ReasonRequired()
    _check_open_stop(stop)
    _start_if_needed(stop, now, actor)
    for link in stop.orders:
        record_event(link.order, "delivery_failed", now=now, actor=actor, note=note)
    _finish(stop, StopOutcome.FAILED, now, note)
    db.session.flush()
    return stop


def mark_arrived(stop: TourStop, *, now: datetime, actor: User | None = None) -> TourStop:
    """The van is at the stop; the arrivals after it are estimated from this time."""
    _check_open_stop(stop)
    _start_if_needed(stop, now, actor)
    stop.arrived_at = now if stop.arrived_at is None else min(stop.arrived_at, now)
    db.session.flush()
    return stop


def on_stop_delivered(stop: TourStop, now: datetime) -> None:
    """Hook after a stop is delivered: at a parcel station each order goes into its compartments
    and its resident gets the pickup code; at a sales point the orders wait for the staff to
    confirm receipt (pickup.collection.put_into_place). Door orders need nothing more, and orders
    kept in the van (a partly delivered stop) stay in transit."""
    put_into_place([link.order for link in stop.orders
                    if link.order.pickup_place_id is not None and link.order.status == OrderStatus.DELIVERED],
                   now=now)


def report_stop_problem(stop: TourStop, *, problem: StopProblem, note: str = "", now: datetime,
                        actor: User | None = None) -> TourStop:
    """The driver could not deliver as planned (closed, no room, damaged); the coordinator sees it."""
    _check_open_stop(stop)
    problem = StopProblem(problem)
    stop.state, stop.problem, stop.problem_note, stop.problem_at = StopState.PROBLEM, problem, note.strip(), now
    for link in stop.orders:
        record_event(link.order, f"delivery_problem_{problem.value}", now=now, actor=actor, note=note.strip())
    db.session.flush()
    return stop

