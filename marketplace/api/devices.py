"""/api/v1/devices/stations/{id}/…: the locker hardware's API, every request signed per station."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, current_app, jsonify, request

from marketplace.api.parsing import json_object
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import csrf, db
from marketplace.orders.models import OrderStatus
from marketplace.orders.transitions import move_order
from marketplace.pickup.codes import CodeRefused, redeem_code
from marketplace.pickup.events import Limits, record_station_events
from marketplace.pickup.signature import verify_device_request
from marketplace.web.errors import domain_message

bp = Blueprint("devices", __name__, url_prefix="/api/v1/devices")
# Signed requests, not cookies, authenticate here.
csrf.exempt(bp)


def signed_by_station(view):
    """Verify the device signature before anything else; the view gets the station."""

    @wraps(view)
    def wrapper(station_id: int):
        station = verify_device_request(
            station_id=station_id, headers=request.headers, method=request.method,
            path=request.path, body=request.get_data(cache=True), now=utcnow(),
        )
        return view(station)

    return wrapper


@bp.errorhandler(CodeRefused)
def code_refused(error: CodeRefused):
    response = jsonify({"error": error.code, "detail": domain_message(error), **error.fields})
    response.status_code = error.status
    return response


@bp.post("/stations/<int:station_id>/pickups")
@signed_by_station
def pickup(station):
    data = request.get_json(silent=True)
    now = utcnow()
    try:
        # Whatever the body, the keypad lock is checked first; a missing code is a miss.
        redemption = redeem_code(station, data.get("code") if isinstance(data, dict) else None, now=now)
    except CodeRefused:
        db.session.commit()  # a miss counts toward the keypad lock, refused or not
        raise
    try:
        move_order(redemption.order, OrderStatus.PICKED_UP, now=now, kind="picked_up_by_code")
    except DomainError:
        db.session.rollback()  # the code stays valid, the compartments stay as they were
        raise
    body = {"order_number": redemption.order.number, "compartments": redemption.compartments}
    db.session.commit()
    return body


@bp.post("/stations/<int:station_id>/events")
@signed_by_station
def events(station):
    taken = record_station_events(station, json_object().get("events"), now=utcnow(),
                                  limits=Limits.from_config(current_app.config))
    body = {"accepted": True, "out_of_service": taken}
    db.session.commit()
    return body, 202
