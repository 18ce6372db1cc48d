"""/open-data/: pickup places and delivery days as public JSON and CSV feeds."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.pickup.models import PickupPlace
from tests import factories as f
from tests.conftest import NOW
from tests.orders.helpers import FRIDAY, TUESDAY, make_world


def _world_with_hidden_places():
    world = make_world()
    hidden = f.make_sales_point(f.make_place(world.station.place.municipality), is_approved=False)
    closed = f.make_station(f.make_place(world.station.place.municipality), is_active=False)
    db.session.commit()
    return world, hidden, closed


def test_pickup_places_json_lists_approved_active_places_with_opening_hours(client, db):
    world, hidden, closed = _world_with_hidden_places()
    response = client.get("/open-data/pickup-places.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    items = {item["id"]: item for item in response.get_json()["items"]}
    assert hidden.id not in items and closed.id not in items
    assert world.other_station.id in items  # every sub-region of the region
    point = items[world.sales_point.id]
    assert point["kind"] == "sales_point" and point["name"] == world.sales_point.name
    assert point["opening_hours"][0] == {"weekday": 1, "opens": "08:00", "closes": "12:00"}
    assert point["temperatures"] == ["ambient"]
    assert items[world.station.id]["temperatures"] == ["ambient", "chilled"]
    assert items[world.station.id]["sub_region"] == world.sub_region.slug
    assert {"lat", "lon", "street", "place", "postcode"} <= set(point)


def test_pickup_places_csv_is_semicolon_separated_utf8_with_the_same_places(client, db):
    world, hidden, _ = _world_with_hidden_places()
    response = client.get("/open-data/pickup-places.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8")), delimiter=";"))
    by_id = {int(row["id"]): row for row in rows}
    assert hidden.id not in by_id
    shown = db.session.scalars(select(PickupPlace.id).where(
        PickupPlace.is_active.is_(True), PickupPlace.is_approved.is_(True)))
    assert set(by_id) == set(shown)
    assert by_id[world.sales_point.id]["opening_hours"] == "Mo 08:00-12:00, Di 08:00-12:00, Fr 14:00-18:00"


def test_a_place_name_that_starts_like_a_formula_is_guarded_in_the_csv(client, db):
    world, _, _ = _world_with_hidden_places()
    world.sales_point.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/pickup-places.csv").get_data().decode("utf-8")),
                               delimiter=";"))
    assert {int(row["id"]): row for row in rows}[world.sales_point.id]["name"] == "'=cmd|' /C calc'!A0"


def test_delivery_days_feeds_give_each_sub_regions_open_days_and_cutoffs(app, client, db, monkeypatch):
    world = make_world()
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", NOW)
    items = client.get("/open-data/delivery-days.json").get_json()["items"]
    ours = [item for item in items if item["sub_region"] == world.sub_region.slug]
    assert [item["date"] for item in ours[:2]] == [TUESDAY.isoformat(), FRIDAY.isoformat()]
    assert ours[0]["cutoff_at"] == "2026-03-02T17:00:00Z"
    assert any(item["sub_region"] == world.other_sub_region.slug for item in items)
    text = client.get("/open-data/delivery-days.csv").get_data().decode("utf-8")
    header, first = text.splitlines()[:2]
    assert header == "sub_region;sub_region_name;date;cutoff_at"
    assert first.split(";")[2] in {TUESDAY.isoformat(), FRIDAY.isoformat()}
