"""`tours plan --json`: one JSON document in the issue's schema, matching the stored tours of a hand-made day."""
from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.core.clock import LOCAL_TZ as DAY_TZ
from marketplace.delivery.models import Tour
from marketplace.delivery.services import publish_tours
from tests import factories as f
from tests.delivery.day_checker import check_day, fits
from tests.delivery.day_factories import DAY, east, make_order, make_small_day, make_station_at

LOADS = {"type": "object", "required": ["ambient", "chilled", "frozen"], "additionalProperties": False,
         "properties": {t: {"type": "integer", "minimum": 0} for t in ("ambient", "chilled", "frozen")}}
TIME = {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$"}
IDS = {"type": "array", "items": {"type": "integer"}}
NULLABLE_ID = {"type": ["integer", "null"]}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "additionalProperties": False, "properties": properties}


STOP = _object({
    "sequence": {"type": "integer"}, "kind": {"enum": ["hub", "producer", "station", "sales_point", "door"]},
    "place_id": NULLABLE_ID, "pickup_place_id": NULLABLE_ID, "producer_id": NULLABLE_ID,
    "lat": {"type": "number"}, "lon": {"type": "number"}, "arrival": TIME, "departure": TIME,
    "window": {"oneOf": [{"type": "null"}, {"type": "array", "items": TIME, "minItems": 2, "maxItems": 2}]},
    "pickup": LOADS, "delivery": LOADS, "orders": IDS, "producers": IDS,
})
TRIP = _object({"kind": {"enum": ["collection", "distribution"]}, "start": TIME, "end": TIME,
                "stops": {"type": "array", "items": STOP}})
TOUR = _object({
    "id": {"type": "integer"},
    "vehicle": _object({"id": {"type": "integer"}, "name": {"type": "string"}, "capacity": LOADS}),
    "driver_id": NULLABLE_ID, "trips": {"type": "array", "items": TRIP, "minItems": 1},
    "km": {"type": "number"}, "hours": {"type": "number"},
})
SCHEMA = _object({"date": {"type": "string", "format": "date"}, "sub_regions": {"type": "array", "items": _object({
    "slug": {"type": "string"}, "dropoff_by": {"oneOf": [{"type": "null"}, TIME]}, "dropoff_producers": IDS,
    "tours": {"type": "array", "items": TOUR},
    "unserved": {"type": "array", "items": _object({"place_id": NULLABLE_ID, "orders": IDS,
                                                       "reason": {"type": "string"}})},
})}})


def _hand_made_day(db):
    day = make_small_day()
    farm_place = f.make_place(day.municipality, lat=east(3)[0], lon=east(3)[1])
    farm = f.make_producer(place=farm_place)
    cheese = f.make_product(farm, temperature=Temperature.CHILLED, crate_units=Decimal("0.5"), stock=None)
    station = make_station_at(day, east(2))
    shop_place = f.make_place(day.municipality, lat=east(4)[0], lon=east(4)[1])
    shop = f.make_sales_point(shop_place)  # Tuesdays 08:00–12:00
    door_place = f.make_place(day.municipality, lat=east(5)[0], lon=east(5)[1] + 0.0005)
    orders = {
        "station": make_order(day, place=station, crates={Temperature.AMBIENT: 2, Temperature.CHILLED: 1}),
        "shop": make_order(day, place=shop, crates={Temperature.FROZEN: 1}),
        "door": make_order(day, door=east(5), window="09:00-12:00"),
        "lost": make_order(day, door=(None, None)),
    }
    orders["cheese"] = f.make_order(day.resident, [(cheese, 4)], place=station, day=DAY,
                                    sub_region=day.sub_region)
    db.session.commit()
    return day, farm, station, shop, door_place, orders


def _plan_json(runner, slug: str) -> dict:
    result = runner.invoke(args=["tours", "plan", "--date", DAY.isoformat(), "--sub-region", slug,
                                 "--seconds", "0.2", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # nothing but the one document on standard output


def test_plan_json_follows_the_schema_and_matches_the_stored_tours(runner, db):
    day, farm, station, shop, door_place, orders = _hand_made_day(db)
    plan = _plan_json(runner, day.sub_region.slug)
    jsonschema.validate(plan, SCHEMA)
    assert plan["date"] == "2026-03-03"
    (sub,) = plan["sub_regions"]
    assert sub["slug"] == day.sub_region.slug and sub["dropoff_by"] is None and sub["dropoff_producers"] == []

    rows = db.session.scalars(select(Tour).order_by(Tour.starts_at, Tour.id)).all()
    (tour,) = sub["tours"]  # one vehicle: its collection and distribution trips are one tour
    assert tour["id"] == rows[0].id and tour["driver_id"] is None
    assert tour["vehicle"] == {"id": rows[0].vehicle_id, "name": rows[0].vehicle.name,
                               "capacity": {"ambient": 40, "chilled": 12, "frozen": 4}}
    assert [t["kind"] for t in tour["trips"]] == [r.kind.value for r in rows]
    assert {t["kind"] for t in tour["trips"]} == {"collection", "distribution"}
    assert tour["km"] == round(sum(r.distance_m for r in rows) / 1000, 3)

    for trip, row in zip(tour["trips"], rows, strict=True):
        assert trip["start"] == row.starts_at.astimezone(DAY_TZ).isoformat()
        assert [s["sequence"] for s in trip["stops"]] == [s.sequence for s in row.stops]
        for stop, stored in zip(trip["stops"], row.stops, strict=True):
            assert stop["arrival"] == stored.planned_arrival.astimezone(DAY_TZ).isoformat()
            assert (stop["lat"], stop["lon"]) == (stored.lat, stored.lon)
        kinds = [s["kind"] for s in trip["stops"]]
        assert kinds[0] == kinds[-1] == "hub" and trip["stops"][0]["place_id"] == day.hub.id
        _check_loads_along(trip, tour["vehicle"]["capacity"])

    collection = next(t for t in tour["trips"] if t["kind"] == "collection")
    at_farm = next(s for s in collection["stops"] if s["producer_id"] == farm.id)
    assert at_farm["kind"] == "producer" and at_farm["place_id"] == farm.place_id
    assert at_farm["orders"] == [orders["cheese"].id] and at_farm["producers"] == [farm.id]
    assert at_farm["pickup"] == {"ambient": 0, "chilled": 2, "frozen": 0}

    distribution = next(t for t in tour["trips"] if t["kind"] == "distribution")
    by_kind = {s["kind"]: s for s in distribution["stops"][1:-1]}
    assert set(by_kind) == {"station", "sales_point", "door"}
    at_station = by_kind["station"]
    assert at_station["pickup_place_id"] == station.id and at_station["place_id"] == station.place_id
    assert sorted(at_station["orders"]) == sorted([orders["station"].id, orders["cheese"].id])
    assert at_station["producers"] == sorted([day.producer.id, farm.id])
    assert at_station["delivery"] == {"ambient": 2, "chilled": 3, "frozen": 0}
    assert by_kind["sales_point"]["window"] == ["2026-03-03T08:00:00+01:00", "2026-03-03T11:58:00+01:00"]
    assert by_kind["sales_point"]["place_id"] == shop.place_id
    assert by_kind["door"]["window"] == ["2026-03-03T09:00:00+01:00", "2026-03-03T12:00:00+01:00"]
    assert by_kind["door"]["place_id"] == door_place.id and by_kind["door"]["orders"] == [orders["door"].id]
    assert distribution["stops"][0]["pickup"] == {"ambient": 3, "chilled": 3, "frozen": 1}

    assert sub["unserved"] == [{"place_id": day.hub.id, "orders": [orders["lost"].id], "reason": "no_coordinates"}]
    assert check_day(plan, [day.sub_region]) == []
    # One van: its collection is back before its distribution leaves.
    assert tour["trips"][0]["kind"] == "collection" and tour["trips"][0]["end"] <= tour["trips"][1]["start"]


def _check_loads_along(trip: dict, capacity: dict) -> None:
    """Pickups fill the van, deliveries empty it; it never holds more than its room, and ends empty."""
    on_board = dict.fromkeys(capacity, 0)
    for stop in trip["stops"]:
        for t in capacity:
            on_board[t] += stop["pickup"][t] - stop["delivery"][t]
            assert on_board[t] >= 0
        assert fits(on_board, capacity)  # chilled room may hold ambient crates
    assert on_board == dict.fromkeys(capacity, 0)


def test_plan_json_includes_published_tours(runner, db, now):
    day, *_ = _hand_made_day(db)
    first = _plan_json(runner, day.sub_region.slug)
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    again = _plan_json(runner, day.sub_region.slug)
    jsonschema.validate(again, SCHEMA)
    assert [t["id"] for t in again["sub_regions"][0]["tours"]] == [t["id"] for t in first["sub_regions"][0]["tours"]]
    assert again["sub_regions"][0]["tours"][0]["trips"] == first["sub_regions"][0]["tours"][0]["trips"]


def test_plan_json_without_orders_is_an_empty_day(runner, db):
    result = runner.invoke(args=["tours", "plan", "--date", DAY.isoformat(), "--seconds", "0.2", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"date": "2026-03-03", "sub_regions": []}



def test_plan_json_gives_the_sub_regions_drop_off_time_once_it_is_set(runner, db):
    from datetime import time

    from marketplace.delivery.services import update_schedule

    day, *_ = _hand_made_day(db)
    schedule = day.sub_region.schedule
    update_schedule(day.sub_region, weekdays=schedule.weekdays, cutoff_days_before=1, cutoff_time=time(18),
                    hub_place=day.hub, service_seconds_per_stop=120, service_seconds_per_crate=0,
                    dropoff_by=time(6, 30))
    db.session.commit()
    plan = _plan_json(runner, day.sub_region.slug)
    jsonschema.validate(plan, SCHEMA)
    assert plan["sub_regions"][0]["dropoff_by"] == "2026-03-03T06:30:00+01:00"
