"""Public open-data feeds: pickup places and delivery days, as JSON and as CSV (`;`, UTF-8)."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify

from marketplace.core.clock import utcnow
from marketplace.core.csv_export import spreadsheet_safe
from marketplace.reports import open_data

bp = Blueprint("open_data", __name__, url_prefix="/open-data")

# Public data that changes a few times a week: caches and other sites may keep it 5 minutes.
_CACHE = "public, max-age=300"


def _json(items: list[dict]) -> Response:
    response = jsonify({"items": items})
    response.headers["Cache-Control"] = _CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _csv(items: list[dict], columns: tuple[str, ...], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow([spreadsheet_safe(cell) for cell in open_data.as_csv_row(item, columns)])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = _CACHE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/pickup-places.json")
def pickup_places_json():
    return _json(open_data.list_open_pickup_places())


@bp.get("/pickup-places.csv")
def pickup_places_csv():
    return _csv(open_data.list_open_pickup_places(), open_data.PICKUP_PLACE_COLUMNS, "pickup-places.csv")


@bp.get("/delivery-days.json")
def delivery_days_json():
    return _json(open_data.list_open_delivery_days_by_sub_region(utcnow()))


@bp.get("/delivery-days.csv")
def delivery_days_csv():
    return _csv(open_data.list_open_delivery_days_by_sub_region(utcnow()),
                open_data.DELIVERY_DAY_COLUMNS, "delivery-days.csv")
