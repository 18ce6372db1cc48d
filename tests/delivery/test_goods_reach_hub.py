"""Goods reach the hub first: hand-made days with known answers, each plan re-checked independently."""
from __future__ import annotations

import copy
import json
from datetime import datetime, time, timedelta
from decimal import Decimal

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import ProducerDropoff
from marketplace.delivery.routing.distances import DEFAULT_ROAD_FACTOR, DEFAULT_SPEED_KMH, geodesic_metres
from tests import factories as f
from tests.conftest import login
from tests.delivery.day_checker import check_day
from tests.delivery.day_factories import (
    DAY,
    HUB,
    east,
    make_coordinator,
    make_order,
    make_small_day,
    make_station_at,
)
from tests.factories import TEST_PASSWORD


def _plan(runner, *sub_regions) -> dict:
    args = ["tours", "plan", "--date", DAY.isoformat(), "--seconds", "0.3", "--json"]
    if len(sub_regions) == 1:
        args += ["--sub-region", sub_regions[0].slug]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert check_day(plan, list(sub_regions)) == []  # the tests' own checker, apart from the planner
    return plan


def _farm(day, km: float, temperature=Temperature.AMBIENT):
    place = f.make_place(day.municipality, lat=east(km)[0], lon=east(km)[1])
    farm = f.make_producer(place=place)
    return farm, f.make_product(farm, temperature=temperature, crate_units=Decimal("0.5"), stock=None)


def _drops_off(day, producer, by: time) -> None:
    day.sub_region.schedule.dropoff_by = by
    f._save(ProducerDropoff(sub_region_id=day.sub_region.id, producer_id=producer.id))


def _drive_seconds(a, b) -> float:
    return geodesic_metres(a, b) * DEFAULT_ROAD_FACTOR / (DEFAULT_SPEED_KMH / 3.6)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _clock(hhmm: str) -> datetime:
    return datetime.fromisoformat(f"{DAY.isoformat()}T{hhmm}:00+01:00")


def test_one_van_collects_first_and_distributes_from_when_it_is_back(runner, db):
    """The demo's Eifel overlap: one van, a farm to collect from; its two trips follow each other."""
    day = make_small_day()
    farm, eggs = _farm(day, 10)
    station = make_station_at(day, east(-5))
    order = f.make_order(day.resident, [(eggs, 2)], place=station, day=DAY, sub_region=day.sub_region)
    db.session.commit()

    (sub,) = _plan(runner, day.sub_region)["sub_regions"]
    (tour,) = sub["tours"]
    collection, distribution = tour["trips"]
    assert (collection["kind"], distribution["kind"]) == ("collection", "distribution")
    assert [s["producer_id"] for s in collection["stops"][1:-1]] == [farm.id]
    assert collection["stops"][1]["orders"] == [order.id]
    # Known answer: out to the farm and back (plus 120 s at the farm), then straight out again.
    assert _at(collection["start"]) == _clock("07:00")
    back = _clock("07:00") + timedelta(seconds=2 * _drive_seconds(HUB, east(10)) + 120)
    assert abs((_at(collection["end"]) - back).total_seconds()) <= 2
    assert distribution["start"] == collection["end"]
    assert sub["dropoff_producers"] == []


def test_goods_dropped_off_by_nine_go_out_at_nine_without_a_collection(runner, db):
    day = make_small_day()
    farm, eggs = _farm(day, 10)
    _drops_off(day, farm, time(9, 0))
    station = make_station_at(day, east(-5))
    order = f.make_order(day.resident, [(eggs, 2)], place=station, day=DAY, sub_region=day.sub_region)
    db.session.commit()

    (sub,) = _plan(runner, day.sub_region)["sub_regions"]
    assert sub["dropoff_by"] == "2026-03-03T09:00:00+01:00" and sub["dropoff_producers"] == [farm.id]
    (tour,) = sub["tours"]
    (trip,) = tour["trips"]
    assert trip["kind"] == "distribution" and _at(trip["start"]) == _clock("09:00")
    assert trip["stops"][1]["orders"] == [order.id] and trip["stops"][1]["producers"] == [farm.id]


def test_a_producer_drops_off_at_one_hub_and_is_collected_for_another(runner, db):
    west = make_small_day()
    farm, eggs = _farm(west, 8)
    east_day = make_small_day(sub_region=f.make_sub_region(west.sub_region.region), hub_at=east(20))
    _drops_off(west, farm, time(8, 0))
    f.make_order(west.resident, [(eggs, 2)], place=make_station_at(west, east(-3)), day=DAY,
                 sub_region=west.sub_region)
    f.make_order(east_day.resident, [(eggs, 4)], place=make_station_at(east_day, east(23)), day=DAY,
                 sub_region=east_day.sub_region)
    db.session.commit()

    plan = _plan(runner, west.sub_region, east_day.sub_region)
    by_slug = {s["slug"]: s for s in plan["sub_regions"]}
    at_west, at_east = by_slug[west.sub_region.slug], by_slug[east_day.sub_region.slug]
    assert at_west["dropoff_producers"] == [farm.id]
    assert [t["kind"] for t in at_west["tours"][0]["trips"]] == ["distribution"]
    assert at_east["dropoff_producers"] == []
    trips = at_east["tours"][0]["trips"]
    assert [t["kind"] for t in trips] == ["collection", "distribution"]
    assert trips[0]["stops"][1]["producer_id"] == farm.id
    assert trips[0]["stops"][1]["pickup"] == {"ambient": 2, "chilled": 0, "frozen": 0}


def test_goods_that_come_too_late_for_the_window_are_reported_not_dropped(runner, db):
    day = make_small_day()
    farm, eggs = _farm(day, 10)
    _drops_off(day, farm, time(12, 0))
    late = f.make_order(day.resident, [(eggs, 2)], door=east(3), window="09:00-10:00", day=DAY,
                        sub_region=day.sub_region)
    served = make_order(day, door=east(4), window="09:00-10:00")  # the hub's own producer: collected at once
    db.session.commit()

    (sub,) = _plan(runner, day.sub_region)["sub_regions"]
    assert sub["unserved"] == [{"place_id": day.hub.id, "orders": [late.id], "reason": "goods_too_late"}]
    delivered = [o for t in sub["tours"] for trip in t["trips"] if trip["kind"] == "distribution"
                 for s in trip["stops"] for o in s["orders"] if s["kind"] == "door"]
    assert delivered == [served.id]


def test_a_producer_no_trip_can_reach_leaves_its_orders_unserved_with_the_reason(runner, db, client):
    day = make_small_day()
    far, honey = _farm(day, 400)  # there and back is longer than the shift
    station = make_station_at(day, east(2))
    stuck = f.make_order(day.resident, [(honey, 2)], place=station, day=DAY, sub_region=day.sub_region)
    fine = make_order(day, place=station)
    db.session.commit()

    (sub,) = _plan(runner, day.sub_region)["sub_regions"]
    reasons = {(u["place_id"], u["reason"]): u["orders"] for u in sub["unserved"]}
    assert reasons == {(far.place_id, "time_window_unreachable"): [stuck.id],
                       (station.place_id, "goods_not_collected"): [stuck.id]}
    stops = [s for t in sub["tours"] for trip in t["trips"] if trip["kind"] == "distribution" for s in trip["stops"]]
    assert [s["orders"] for s in stops if s["kind"] == "station"] == [[fine.id]]
    # The coordinator reads why, with the order.
    make_coordinator(day.sub_region, "koord-hub@example.org")
    db.session.commit()
    login(client, "koord-hub@example.org", TEST_PASSWORD)
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert "Die Ware eines Erzeugers kann nicht abgeholt werden" in html and stuck.number in html


def test_chilled_room_takes_ambient_crates_frozen_only_frozen_and_crates_round_up_per_order(runner, db):
    day = make_small_day(capacity_ambient=3, capacity_chilled=2, capacity_frozen=1)
    big = make_order(day, place=make_station_at(day, east(2)), crates={Temperature.AMBIENT: 3})
    small_station = make_station_at(day, east(4))
    product = day.products[Temperature.AMBIENT]  # half a crate a piece
    halves = [f.make_order(day.resident, [(product, 1)], place=small_station, day=DAY, sub_region=day.sub_region)
              for _ in range(2)]
    frozen = make_order(day, place=make_station_at(day, east(1)), crates={Temperature.FROZEN: 2})
    db.session.commit()

    (sub,) = _plan(runner, day.sub_region)["sub_regions"]
    (tour,) = sub["tours"]
    (distribution,) = [t for t in tour["trips"] if t["kind"] == "distribution"]
    # 3 + 1 + 1 ambient crates in 3 ambient and 2 chilled places: one trip out to 2 km and 4 km.
    assert distribution["stops"][0]["pickup"] == {"ambient": 5, "chilled": 0, "frozen": 0}
    by_station = {s["pickup_place_id"]: s for s in distribution["stops"][1:-1]}
    assert by_station[small_station.id]["delivery"]["ambient"] == 2  # two half crates are two crates
    assert sorted(by_station[small_station.id]["orders"]) == sorted(o.id for o in halves)
    collection = next(t for t in tour["trips"] if t["kind"] == "collection")
    assert collection["stops"][1]["pickup"] == {"ambient": 5, "chilled": 0, "frozen": 0}
    assert sorted(collection["stops"][1]["orders"]) == sorted([big.id, *(o.id for o in halves)])
    assert [(u["orders"], u["reason"]) for u in sub["unserved"]] == [([frozen.id], "capacity_exceeded")]


def test_two_vans_share_the_collections_and_never_drive_two_trips_at_once(runner, db):
    day = make_small_day(vehicles=2, capacity_ambient=4, capacity_chilled=0, capacity_frozen=0)
    farms = [_farm(day, km) for km in (6, -6, 12)]
    for k, (_, product) in enumerate(farms):
        for side in (1, -1):
            f.make_order(day.resident, [(product, 4)], place=make_station_at(day, east(side * (3 + k))),
                         day=DAY, sub_region=day.sub_region)
    db.session.commit()
    plan = _plan(runner, day.sub_region)  # the checker: one trip at a time, goods there first
    (sub,) = plan["sub_regions"]
    assert sub["unserved"] == []
    assert sum(len(t["trips"]) for t in sub["tours"]) >= 3


def test_the_checker_finds_broken_rules_in_a_tampered_plan(runner, db):
    day = make_small_day()
    _, eggs = _farm(day, 10)
    f.make_order(day.resident, [(eggs, 2)], place=make_station_at(day, east(-5)), day=DAY, sub_region=day.sub_region)
    db.session.commit()
    plan = _plan(runner, day.sub_region)

    early = copy.deepcopy(plan)
    trip = early["sub_regions"][0]["tours"][0]["trips"][1]
    trip["start"] = trip["stops"][0]["departure"] = early["sub_regions"][0]["tours"][0]["trips"][0]["start"]
    found = check_day(early, [day.sub_region])
    assert any("two trips at once" in p for p in found) and any("before the goods" in p for p in found)

    heavy = copy.deepcopy(plan)
    stops = heavy["sub_regions"][0]["tours"][0]["trips"][1]["stops"]
    stops[0]["pickup"]["frozen"] = stops[1]["delivery"]["frozen"] = 5
    found = check_day(heavy, [day.sub_region])
    assert any("more than the room" in p for p in found) and any("in whole crates" in p for p in found)

    lost = copy.deepcopy(plan)
    lost["sub_regions"][0]["tours"] = []
    assert any("neither on a tour nor reported unserved" in p for p in check_day(lost, [day.sub_region]))
