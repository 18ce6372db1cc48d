"""Starting and ending a tour: orders go in transit and their residents hear when to expect them."""
from __future__ import annotations

from datetime import datetime

from marketplace.accounts.models import User
from marketplace.delivery.models import StopKind, StopOutcome, StopState, Tour, TourKind
from marketplace.delivery.queries import estimate_arrivals
from marketplace.delivery.services.errors import (
    TourAlreadyEnded,
    TourAlreadyStarted,
    TourNotPublished,
    TourNotStarted,
)
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.orders.models import OrderStatus
from marketplace.orders.transitions import move_order

ON_THE_WAY = "order_on_the_way"
register_kind(ON_THE_WAY, sample={
    "order_number": "LK-WXYZ-ABCD", "resident_name": "Hildegard Müller-Lüdenscheidt",
    "expected_at": "2026-12-30T10:45:00+01:00", "fulfilment": "sales_point",
    "place_name": "Dorfgemeinschaftshaus Oberdürenbach-Niederzissen am Brohlbach",
    "door_town": "Niederdürenbach-Oberzissen",
})
# Orders not yet on their way when the tour leaves, and the steps that put them on it.
_TO_TRANSIT = {
    OrderStatus.CONFIRMED: [(OrderStatus.PACKED, "packed_at_loading"), (OrderStatus.IN_TRANSIT, "on_tour")],
    OrderStatus.PACKED: [(OrderStatus.IN_TRANSIT, "on_tour")],
}


def start_tour(tour: Tour, *, now: datetime, actor: User | None = None) -> Tour:
    """The driver leaves the hub: every order of a distribution tour goes in transit, and its
    resident is told "on the way, expected around HH:MM" (the stop's planned arrival).

    Refuses a tour that is not published or already started. Flushes, the caller commits.
    """
    if not tour.is_published:
        raise TourNotPublished()
    if tour.started_at is not None:
        raise TourAlreadyStarted()
    tour.started_at = now
    expected = estimate_arrivals(tour)
    if tour.kind == TourKind.DISTRIBUTION:
        for stop in tour.stops:
            if stop.kind != StopKind.DROP:
                continue
            for link in stop.orders:
                order = link.order
                steps = _TO_TRANSIT.get(order.status)
                if steps is None:
                    continue
                for to, kind in steps:
                    move_order(order, to, now=now, actor=actor, kind=kind, note=f"Tour {tour.id}, Halt {stop.sequence}")
                place = order.pickup_place
                notify(order.resident, ON_THE_WAY, {
                    "order_number": order.number, "resident_name": order.resident.name,
                    "expected_at": expected[stop.id].isoformat(), "fulfilment": str(order.fulfilment),
                    "place_name": place.name if place is not None else None, "door_town": order.door_town,
                }, order_id=order.id, now=now)
    db.session.flush()
    return tour


def end_tour(tour: Tour, *, now: datetime, empty_crates: int | None = None, note: str = "",
             actor: User | None = None) -> Tour:
    """The driver is back at the hub with what came back: `empty_crates` and a `note` on the returns.

    Stops not done by then are done as failed, and every order of the tour still in transit (a
    failed stop, an order returned at a partly delivered one) is returned to the hub, with an
    event. Refuses a tour not started or already ended.
    """
    if tour.started_at is None:
        raise TourNotStarted()
    if tour.ended_at is not None:
        raise TourAlreadyEnded()
    tour.ended_at = max(now, tour.started_at)
    tour.empty_crates_back, tour.returns_note = empty_crates, (note or "").strip()
    for stop in tour.visits:
        if stop.state != StopState.DONE:
            stop.state, stop.done_at, stop.outcome, stop.problem = StopState.DONE, tour.ended_at, StopOutcome.FAILED, None
        if stop.kind != StopKind.DROP:
            continue
        for link in stop.orders:
            if link.order.status == OrderStatus.IN_TRANSIT:
                move_order(link.order, OrderStatus.RETURNED, now=tour.ended_at, actor=actor, kind="came_back",
                           note=f"Tour {tour.id}, Halt {stop.sequence}")
    db.session.flush()
    return tour
