"""A hub's day in the pure routing package: collection first, trips one after another, release times."""
from __future__ import annotations

from dataclasses import replace

from routing_fixtures import SPEED, line_problem, van

from marketplace.delivery.routing import (
    GOODS_NOT_COLLECTED,
    Consignment,
    DayOrder,
    HubDay,
    Load,
    check_result,
    plan_hub_day,
    solve,
)


def _day(vehicles, producers_km: dict[str, float], drops_km: dict[str, float], orders, at_hub=None,
         max_reloads=3) -> HubDay:
    """`orders`: (order id, drop stop, {producer: crates}) on a straight road through the hub."""
    line = line_problem({**producers_km, **drops_km}, vehicles)
    by_id = {s.id: s for s in line.stops}
    return HubDay(
        hub=line.hubs[0], vehicles=tuple(vehicles),
        drops=tuple(by_id[k] for k in drops_km), producers=tuple(by_id[k] for k in producers_km),
        orders=tuple(DayOrder(o, stop, Load(ambient=sum(goods.values()))) for o, stop, goods in orders),
        consignments=tuple(Consignment(o, p, Load(ambient=n)) for o, _, goods in orders for p, n in goods.items()),
        at_hub=at_hub or {}, max_reloads=max_reloads, matrices=line.matrices,
    )


def _with_line(problem):
    return problem  # the day's problems carry the line's matrices


def _solve(day, seconds=0.2):
    return plan_hub_day(day, seconds, workers=1, seeds=[1])


def test_a_small_van_collects_in_trips_that_follow_each_other_then_distributes():
    result = _solve(_day([van(ambient=4)], {"p1": 10, "p2": -10, "p3": 20}, {"s": 5},
                         [("o1", "s", {"p1": 4}), ("o2", "s", {"p2": 4}), ("o3", "s", {"p3": 4})]))
    trips = result.collection.routes
    assert len(trips) == 3 and all(t.vehicle_id == "van" for t in trips)
    assert all(a.end_time <= b.start_time for a, b in zip(trips, trips[1:], strict=False))
    assert check_result(_with_line(result.collection_problem), result.collection).is_feasible
    out = result.distribution.routes
    # 12 crates do not fit a 4-crate van: three distribution trips, the first after all collections.
    assert len(out) == 3 and out[0].start_time >= trips[-1].end_time
    assert all(a.end_time <= b.start_time for a, b in zip(out, out[1:], strict=False))
    assert check_result(_with_line(result.distribution_problem), result.distribution).is_feasible
    assert result.ready == {"o1": trips[[t.stop_ids for t in trips].index(["p1"])].end_time,
                            "o2": trips[[t.stop_ids for t in trips].index(["p2"])].end_time,
                            "o3": trips[[t.stop_ids for t in trips].index(["p3"])].end_time}


def test_a_drop_stop_is_released_when_its_last_producers_goods_are_at_the_hub():
    result = _solve(_day([van(), van("other")], {"p1": 10}, {"s": 3, "t": -3},
                         [("o1", "s", {"p1": 1, "p2": 1}), ("o2", "t", {"p2": 1})],
                         at_hub={("o1", "p2"): 9 * 3600, ("o2", "p2"): 9 * 3600}))
    (collection,) = result.collection.routes
    assert collection.stop_ids == ["p1"] and collection.start_time == 0
    releases = {s.id: s.release_time for s in result.distribution_problem.stops}
    assert releases == {"s": 9 * 3600, "t": 9 * 3600}  # p1 is back at 2000 s, p2 drops off at 9:00
    assert all(r.start_time >= 9 * 3600 for r in result.distribution.routes)
    assert collection.end_time == 2 * 10_000 / SPEED


def test_orders_of_a_producer_no_trip_reaches_are_reported_with_the_reason():
    result = _solve(_day([van(end=3600)], {"far": 100}, {"s": 1}, [("o1", "s", {"far": 1}), ("o2", "s", {})]))
    assert [u.stop_id for u in result.collection.unserved] == ["far"]
    assert [(b.stop_id, b.order_ids, b.reason) for b in result.blocked] == [("s", ("o1",), GOODS_NOT_COLLECTED)]
    assert result.orders_at == {"s": ("o2",)}


def test_one_trip_per_vehicle_without_reloads_is_checked_as_before():
    problem = replace(line_problem({"a": 5, "b": -5}, [van(ambient=1)]), max_reloads=1)
    result = solve(problem, 0.2, workers=1)
    assert [r.vehicle_id for r in result.routes] == ["van", "van"]
    assert check_result(problem, result).is_feasible
    assert not check_result(replace(problem, max_reloads=0), result).is_feasible  # used twice


def test_goods_for_an_order_with_a_window_are_fetched_in_time_for_it():
    from marketplace.delivery.routing.day import collection_problem

    # Door 3 km west, open until 08:00; its producer 5 km east; another order without a window.
    day = _day([van()], {"p": 5}, {"door": -3, "station": 2},
               [("o1", "door", {"p": 1}), ("o2", "station", {"p": 1})])
    day = replace(day, drops=tuple(replace(s, time_window=(7 * 3600, 8 * 3600)) if s.id == "door" else s
                                   for s in day.drops))
    problem, orders = collection_problem(day)
    by_orders = {orders[s.id]: s for s in problem.stops}
    relaxed, urgent = by_orders[("o2",)], by_orders[("o1",)]
    assert relaxed.time_window is None and {relaxed.id, urgent.id} == {"p", "p#2"}
    # Leave the hub for the door by 08:00 − 300 s; so back from the farm (500 s away) by then,
    # with room for one more detour as long as the way back.
    assert urgent.time_window == (0.0, 8 * 3600 - 3000 / SPEED - 2 * 5000 / SPEED - urgent.service_seconds)
    result = _solve(day)
    assert result.distribution.unserved == () and result.blocked == ()
    assert check_result(result.collection_problem, result.collection).is_feasible
