"""/api/v1/driver/…: the driver's tours of a day and the stop events of a phone that is offline at times."""
from __future__ import annotations

from datetime import datetime

from flask import Response

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_drive
from marketplace.api.auth import api_user, token_required
from marketplace.api.parsing import InvalidField, body_list, json_object
from marketplace.api.pickup_places import _query_date
from marketplace.api.views import bp
from marketplace.core.clock import parse_instant, utcnow
from marketplace.core.errors import Forbidden, NotFound
from marketplace.delivery import queries
from marketplace.delivery.driver_app.sheets import driver_map_svg, serialize_driver_tour
from marketplace.delivery.models import DriverEventKind, Tour, TourStop
from marketplace.delivery.services import driver_events
from marketplace.extensions import db
from marketplace.web.errors import domain_message

MAX_EVENTS = 500
_STOP_FIELDS = {"client_event_id", "kind", "stop_id", "at", "note", "returned_orders"}
_TOUR_FIELDS = {"client_event_id", "kind", "tour_id", "at", "note", "empty_crates"}


def _driver():
    user = api_user()
    if not user.has_role(Role.DRIVER):
        raise Forbidden()
    return user


def _instant(value, field: str) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise InvalidField(field=field)
    try:
        return parse_instant(value)
    except ValueError:
        raise InvalidField(field=field) from None


def _event_id(value, field: str) -> str:
    if not isinstance(value, str) or len(value) > 36:
        raise InvalidField(field=field)
    try:
        return driver_events.normal_event_id(value)
    except ValueError:
        raise InvalidField(field=field) from None


def _id(value, field: str) -> int:
    if type(value) is not int or not 1 <= value <= 2**31 - 1:
        raise InvalidField(field=field)
    return value


def _event(raw, n: int) -> driver_events.DriverEventInput:
    """One event of the batch, strictly: a known kind, its own fields only, a time with an offset."""
    where = f"events[{n}]"
    if not isinstance(raw, dict):
        raise InvalidField(field=where)
    try:
        kind = DriverEventKind(raw.get("kind"))
    except ValueError:
        raise InvalidField(field=f"{where}.kind") from None
    allowed = _TOUR_FIELDS if kind in driver_events.TOUR_KINDS else _STOP_FIELDS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InvalidField(field=f"{where}.{unknown[0]}")
    note = raw.get("note", "")
    if not isinstance(note, str) or len(note) > 1000:
        raise InvalidField(field=f"{where}.note")
    common = {"client_event_id": _event_id(raw.get("client_event_id"), f"{where}.client_event_id"),
              "kind": kind, "at": _instant(raw.get("at"), f"{where}.at"), "note": note.strip()}
    if kind in driver_events.TOUR_KINDS:
        crates = raw.get("empty_crates")
        if crates is not None and (type(crates) is not int or not 0 <= crates <= 10_000):
            raise InvalidField(field=f"{where}.empty_crates")
        return driver_events.DriverEventInput(tour_id=_id(raw.get("tour_id"), f"{where}.tour_id"),
                                              empty_crates=crates, **common)
    returned = raw.get("returned_orders", [])
    if not isinstance(returned, list) or len(returned) > 200:
        raise InvalidField(field=f"{where}.returned_orders")
    return driver_events.DriverEventInput(
        stop_id=_id(raw.get("stop_id"), f"{where}.stop_id"),
        returned_orders=tuple(_id(o, f"{where}.returned_orders") for o in returned), **common)


def _result(result: driver_events.EventResult) -> dict:
    detail = None
    if result.status == "rejected":
        error = result.error
        if error is None:
            refusal = driver_events.rejection_of(result.reason or "")
            error = refusal() if refusal is not None else None
        detail = domain_message(error) if error is not None else result.reason
    return {"client_event_id": result.client_event_id, "status": result.status, "reason": result.reason,
            "detail": detail}


@bp.get("/driver/tours")
@token_required
def driver_tours():
    driver = _driver()
    day = _query_date("date")
    return {"date": day.isoformat(),
            "items": [serialize_driver_tour(trips) for trips in queries.list_driver_day_tours(driver, day)]}


@bp.get("/driver/tours/<int:tour_id>/map.svg")
@token_required
def driver_tour_map(tour_id: int):
    driver, tour = _driver(), db.session.get(Tour, tour_id)
    if tour is None or not can_drive(driver, tour):
        raise NotFound()
    return Response(driver_map_svg(tour), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-cache"})


@bp.post("/driver/stops/<int:stop_id>/delivered")
@token_required
def driver_stop_delivered(stop_id: int):
    driver = _driver()
    stop = db.session.get(TourStop, stop_id)
    if stop is None or not can_drive(driver, stop.tour):
        raise NotFound()
    data = json_object()
    unknown = sorted(set(data) - {"client_event_id", "at"})
    if unknown:
        raise InvalidField(field=unknown[0])
    client_event_id = _event_id(data.get("client_event_id"), "client_event_id")
    at = _instant(data.get("at"), "at")
    answer = driver_events.deliver_stop_once(driver, stop, client_event_id=client_event_id, at=at, now=utcnow())
    db.session.commit()
    return answer


@bp.post("/driver/events")
@token_required
def driver_events_batch():
    driver = _driver()
    raw = body_list(json_object(), "events")
    if len(raw) > MAX_EVENTS:
        raise InvalidField(field="events")
    events = [_event(item, n) for n, item in enumerate(raw)]
    results = driver_events.apply_driver_events(driver, events, now=utcnow())
    body = {"results": [_result(r) for r in results]}
    db.session.commit()
    return body
