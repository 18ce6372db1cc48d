"""Publishing tours and what the driver records at each stop."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.delivery.models import (
    StopKind,
    StopProblem,
    StopState,
    Tour,
    TourStatus,
    TourStop,
)
from marketplace.delivery.services.assigning import assign_only_driver
from marketplace.delivery.services.errors import NotAStop, NothingToPublish, StopAlreadyDone, TourNotPublished
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


def confirm_stop_delivered(stop: TourStop, *, now: datetime, actor: User | None = None) -> TourStop:
    """The driver handed the stop's orders over: each moves on to delivered, with an event per step."""
    _check_open_stop(stop)
    for link in stop.orders:
        order = link.order
        # Orders still confirmed or packed went on the tour when it was loaded.
        while order.status in _PATH:
            to, kind = _PATH[order.status]
            move_order(order, to, now=now, actor=actor, kind=kind, note=f"Tour {stop.tour_id}, Halt {stop.sequence}")
    stop.state, stop.done_at = StopState.DONE, now
    db.session.flush()
    on_stop_delivered(stop, now)
    return stop


def on_stop_delivered(stop: TourStop, now: datetime) -> None:
    """Hook after a stop is delivered: at a parcel station each order goes into its compartments
    and its resident gets the pickup code; at a sales point the orders wait for the staff to
    confirm receipt (pickup.collection.put_into_place). Door orders need nothing more."""
    put_into_place([link.order for link in stop.orders if link.order.pickup_place_id is not None], now=now)


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

