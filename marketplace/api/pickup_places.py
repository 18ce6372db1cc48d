"""/api/v1/pickup-places/{id}/availability: what a pickup place still has free on a delivery day."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, request

from marketplace.core.errors import N_, InvalidInput, NotFound
from marketplace.extensions import csrf
from marketplace.pickup.models import ParcelStation
from marketplace.pickup.reservations import count_free_compartments, get_offered_place, sales_point_room_left

bp = Blueprint("pickup_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidDate(InvalidInput):
    code = "invalid_date"
    message = N_("Das Datum muss die Form JJJJ-MM-TT haben.")


def _query_date(name: str) -> date:
    raw = request.args.get(name, "")
    try:
        if _DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise InvalidDate()


@bp.get("/pickup-places/<int:place_id>/availability")
def availability(place_id: int):
    day = _query_date("date")
    place = get_offered_place(place_id)
    if place is None:
        raise NotFound()
    if isinstance(place, ParcelStation):
        free = count_free_compartments(place, day)
    else:
        free = sales_point_room_left(place, day)
    return {"date": day.isoformat(), "free": free}
