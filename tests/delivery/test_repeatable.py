"""Repeatable plans: the same day with the same settings gives the same tours, whatever the machine's load."""
from __future__ import annotations

import itertools
import random

from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import Tour
from marketplace.delivery.routing import Hub, Load, Problem, Stop, Vehicle, solve
from marketplace.delivery.routing import solver as solver_module
from marketplace.delivery.routing.solver import iteration_budget
from marketplace.delivery.services import plan_day
from tests import factories as f
from tests.delivery.day_factories import DAY, HUB, make_order, make_small_day, make_station_at


def _stops_of_the_day(db) -> list[tuple]:
    tours = db.session.scalars(select(Tour).order_by(Tour.kind, Tour.vehicle_id, Tour.starts_at)).all()
    return [(t.kind.value, t.vehicle_id, t.distance_m, t.starts_at,
             [(s.sequence, s.kind.value, s.pickup_place_id, s.producer_id, s.lat, s.lon, s.planned_arrival,
               s.planned_departure, s.loads, [o.order_id for o in s.orders]) for s in t.stops])
            for t in tours]


def test_planning_the_same_day_twice_gives_identical_stops(db, now):
    rng = random.Random(7)
    day = make_small_day(vehicles=3, capacity_ambient=8)
    for k in range(3):
        farm = f.make_producer(place=f.make_place(day.municipality, lat=HUB[0] + rng.uniform(-.1, .1),
                                                  lon=HUB[1] + rng.uniform(-.1, .1)))
        day.products[f"farm{k}"] = f.make_product(farm, crate_units=1, stock=None)
    stations = []
    for k in range(14):
        point = (HUB[0] + rng.uniform(-.15, .15), HUB[1] + rng.uniform(-.2, .2))
        if k % 3:
            stations.append(make_station_at(day, point))
            crates = {Temperature.AMBIENT: rng.randint(1, 3), Temperature.CHILLED: 1} if k % 2 else None
            make_order(day, place=stations[-1], crates=crates)
        else:
            make_order(day, door=point, window="09:00-11:00" if k % 2 else None)
    for k in range(3):  # goods of three farms to collect
        f.make_order(day.resident, [(day.products[f"farm{k}"], 2)], place=stations[k], day=DAY,
                     sub_region=day.sub_region)
    db.session.commit()

    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.5, now=now)
    db.session.commit()
    first = _stops_of_the_day(db)
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.5, now=now)
    db.session.commit()
    assert _stops_of_the_day(db) == first
    assert {t[0] for t in first} == {"collection", "distribution"} and sum(len(t[-1]) for t in first) > 14


def _random_problem(n: int) -> Problem:
    rng = random.Random(n)
    stops = tuple(Stop(id=f"s{i}", demand=Load(rng.randint(1, 3), rng.randint(0, 1), 0),
                       lat=50.2 + rng.random() * .3, lon=7.0 + rng.random() * .5, fixed_service_seconds=120,
                       time_window=(8 * 3600, 12 * 3600) if i % 4 == 0 else None) for i in range(n))
    vans = tuple(Vehicle(id=f"v{k}", capacity=Load(20, 6, 2), shift_start=7 * 3600, shift_end=15 * 3600,
                         cost_per_km_cents=35, cost_per_hour_cents=2500) for k in range(4))
    return Problem(hubs=(Hub("hub", 50.35, 7.25),), stops=stops, vehicles=vans)


def test_repeatable_search_does_not_depend_on_the_clock(monkeypatch):
    from marketplace.delivery.routing.plan import with_matrices

    problem = with_matrices(_random_problem(30))
    calm = solve(problem, 0.3, repeatable=True)
    ticks = itertools.count()
    monkeypatch.setattr(solver_module, "_clock", lambda: next(ticks) * 0.37)  # a machine under load
    busy = solve(problem, 0.3, repeatable=True)
    assert [(r.vehicle_id, r.stop_ids) for r in busy.routes] == [(r.vehicle_id, r.stop_ids) for r in calm.routes]
    assert busy.cost_cents == calm.cost_cents and not calm.unserved


def test_the_iteration_budget_grows_with_seconds_and_shrinks_with_stops():
    assert iteration_budget(10, 50) == 5400
    assert iteration_budget(10, 250) < iteration_budget(10, 50) < iteration_budget(10, 10)
    assert iteration_budget(0.01, 50) == solver_module.MIN_ITERATIONS
