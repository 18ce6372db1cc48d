"""plan_day: hand-made days with a known best tour, every tour checked independently, nothing dropped."""
from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery import routing
from marketplace.delivery.models import StopKind, Tour, TourKind, TourStatus
from marketplace.delivery.routing.distances import DEFAULT_ROAD_FACTOR, geodesic_metres
from marketplace.delivery.services import (
    CLOSED_THAT_DAY,
    InvalidSetting,
    create_plan_run,
    plan_day,
    publish_tours,
)
from tests import factories as f
from tests.delivery.day_checker import check_stored_day
from tests.delivery.day_factories import (
    DAY,
    HUB,
    east,
    make_order,
    make_small_day,
    make_station_at,
)

SECONDS = 0.3


def _plan(db, now, sub_region=None, run=None):
    summary = plan_day(day=DAY, sub_region=sub_region, seconds=SECONDS, now=now, run=run, workers=1)
    db.session.commit()
    return summary


def _tours(db, kind=TourKind.DISTRIBUTION):
    return db.session.scalars(select(Tour).where(Tour.kind == kind).order_by(Tour.id)).all()


def _check_stored(db, sub_region, run=None):
    """Re-check the stored day with the tests' independent checker."""
    problems = check_stored_day(DAY, sub_region, run)
    assert problems == []


def test_plan_day_visits_stations_on_a_line_in_order_and_back(db, now):
    day = make_small_day()
    stations = [make_station_at(day, east(km)) for km in (2, 4, 6)]
    for station in stations:
        make_order(day, place=station, crates={Temperature.AMBIENT: 2, Temperature.CHILLED: 1})
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    summary = _plan(db, now, day.sub_region, run)

    (tour,) = _tours(db)
    visited = [s.pickup_place_id for s in tour.visits]
    assert visited in ([s.id for s in stations], [s.id for s in reversed(stations)])
    best = 2 * geodesic_metres(HUB, east(6)) * DEFAULT_ROAD_FACTOR
    assert tour.distance_m == pytest.approx(best, abs=5)
    assert (tour.load_ambient, tour.load_chilled, tour.load_frozen) == (6, 3, 0)
    assert [s.kind for s in (tour.stops[0], tour.stops[-1])] == [StopKind.DEPOT, StopKind.DEPOT]
    assert [s.sequence for s in tour.stops] == list(range(5))
    assert all(a.planned_departure <= b.planned_arrival for a, b in zip(tour.stops, tour.stops[1:], strict=False))
    assert summary[str(day.sub_region.id)]["tours"] == 1 and run.unserved == []
    (collection,) = _tours(db, TourKind.COLLECTION)
    assert collection.visits[0].producer_id == day.producer.id
    _check_stored(db, day.sub_region, run)


def test_capacity_per_temperature_class_splits_tours(db, now):
    day = make_small_day(vehicles=2, capacity_ambient=40, capacity_chilled=2, capacity_frozen=0)
    a, b = make_station_at(day, east(3)), make_station_at(day, east(-3))
    make_order(day, place=a, crates={Temperature.CHILLED: 2})
    make_order(day, place=b, crates={Temperature.CHILLED: 2})
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)
    tours = _tours(db)
    assert len(tours) == 2
    assert all(t.load_chilled <= 2 for t in tours)
    _check_stored(db, day.sub_region, run)


def test_unserved_stops_are_reported_with_reasons_never_dropped(db, now):
    day = make_small_day(capacity_frozen=0, shift_start=time(7, 0), shift_end=time(15, 0))
    near = make_station_at(day, east(2))
    make_order(day, place=near)
    no_coords = make_order(day, door=(None, None))
    frozen = make_order(day, place=make_station_at(day, east(3)), crates={Temperature.FROZEN: 1})
    late = make_order(day, door=east(4), window="18:00-19:00")
    far_window = make_order(day, door=east(1), window="07:00-07:01")
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)

    reasons = {tuple(u["orders"]): u["reason"] for u in run.unserved}
    assert reasons[(no_coords.number,)] == routing.NO_COORDINATES
    assert reasons[(frozen.number,)] == routing.CAPACITY_EXCEEDED
    assert reasons[(late.number,)] == routing.TIME_WINDOW_UNREACHABLE
    assert reasons[(far_window.number,)] == routing.TIME_WINDOW_UNREACHABLE
    (tour,) = _tours(db)
    assert [s.pickup_place_id for s in tour.visits] == [near.id]
    _check_stored(db, day.sub_region, run)


def test_sub_region_without_vehicle_reports_every_stop(db, now):
    day = make_small_day(vehicles=0)
    station = make_station_at(day, east(2))
    order = make_order(day, place=station)
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)
    assert _tours(db) == []
    drops = [u for u in run.unserved if u["kind"] == "drop"]
    assert [(u["reason"], u["orders"]) for u in drops] == [(routing.NO_VEHICLE, [order.number])]


def test_sales_point_closed_that_weekday_is_reported(db, now):
    day = make_small_day()
    place = f.make_place(day.municipality, lat=east(2)[0], lon=east(2)[1])
    shop = f.make_sales_point(place, hours=((1, "08:00", "12:00"),))  # Mondays only; DAY is a Tuesday
    order = make_order(day, place=shop)
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)
    assert [(u["reason"], u["orders"]) for u in run.unserved if u["kind"] == "drop"] == [
        (CLOSED_THAT_DAY, [order.number])]


def test_sales_point_is_reached_inside_its_opening_hours(db, now):
    day = make_small_day()
    place = f.make_place(day.municipality, lat=east(5)[0], lon=east(5)[1])
    shop = f.make_sales_point(place, hours=((2, "10:00", "11:00"),))
    make_order(day, place=shop)
    make_order(day, place=make_station_at(day, east(1)))
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)
    (tour,) = _tours(db)
    stop = next(s for s in tour.visits if s.pickup_place_id == shop.id)
    from marketplace.core.clock import to_local
    arrival = to_local(stop.planned_arrival).time()
    assert time(9, 50) <= arrival <= time(11, 0)
    _check_stored(db, day.sub_region, run)


def test_replanning_keeps_published_tours_and_plans_only_new_orders(db, now):
    day = make_small_day(vehicles=2)
    first = make_order(day, place=make_station_at(day, east(2)))
    _plan(db, now, day.sub_region)
    assert publish_tours(day=DAY, sub_region=day.sub_region, now=now) == 2  # distribution + collection
    db.session.commit()
    published = {t.id for t in _tours(db)}
    second = make_order(day, place=make_station_at(day, east(-2)))
    _plan(db, now, day.sub_region)
    _plan(db, now, day.sub_region)  # twice: planned tours are replaced, not piled up

    tours = _tours(db)
    assert {t.id for t in tours if t.status == TourStatus.PUBLISHED} == published
    planned = [t for t in tours if t.status == TourStatus.PLANNED]
    assert len(planned) == 1
    assert [link.order_id for s in planned[0].visits for link in s.orders] == [second.id]
    # A vehicle with published trips may go again, but only once they are back.
    every_trip = db.session.scalars(select(Tour).order_by(Tour.starts_at)).all()
    for trip in every_trip:
        if trip.status == TourStatus.PLANNED:
            assert all(t.ends_at <= trip.starts_at for t in every_trip
                       if t.is_published and t.vehicle_id == trip.vehicle_id)
    on_published = [link.order_id for t in tours if t.is_published for s in t.visits for link in s.orders]
    assert on_published == [first.id]


def test_publish_without_planned_tours_is_refused(db, now):
    day = make_small_day()
    from marketplace.delivery.services import NothingToPublish
    with pytest.raises(NothingToPublish):
        publish_tours(day=DAY, sub_region=day.sub_region, now=now)


def test_grouping_cost_compares_with_the_day_without_borders(db, now):
    west = make_small_day()
    # A second sub-region of the same region whose hub lies far east, with a stop next to the first hub.
    other = f.make_sub_region(west.sub_region.region)
    east_day = make_small_day(sub_region=other, hub_at=east(20))
    make_order(west, place=make_station_at(west, east(1)))
    make_order(east_day, place=make_station_at(east_day, east(1.5)))  # belongs to the far sub-region
    run = create_plan_run(day=DAY, sub_region=west.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, west.sub_region, run)
    # Only the planned sub-region's tours are stored, but both are compared.
    assert {t.sub_region_id for t in _tours(db)} == {west.sub_region.id}
    assert run.km_without_borders < run.km_with_borders
    assert run.grouping_km > 20
    assert sorted(run.summary["grouping"]["sub_regions"]) == sorted([west.sub_region.name, other.name])


def test_zero_seconds_is_refused(db, now):
    day = make_small_day()
    with pytest.raises(InvalidSetting):
        plan_day(day=DAY, sub_region=day.sub_region, seconds=0, now=now)


def test_vehicle_without_shift_room_leaves_door_window_unserved(db, now):
    day = make_small_day(shift_start=time(7, 0), shift_end=time(9, 0))
    order = make_order(day, door=east(3), window="12:00-14:00")
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=SECONDS, now=now)
    _plan(db, now, day.sub_region, run)
    assert [(u["reason"], u["orders"]) for u in run.unserved if u["kind"] == "drop"] == [
        (routing.TIME_WINDOW_UNREACHABLE, [order.number])]
