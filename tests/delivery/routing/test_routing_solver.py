"""The planner finds known-best tours, respects loads, windows and shifts, and says what it leaves out."""
from __future__ import annotations

import time

import pytest
from routing_fixtures import line_problem, van

from marketplace.delivery.routing import (
    CAPACITY_EXCEEDED,
    NO_COORDINATES,
    NO_VEHICLE,
    NOT_ROUTED,
    TIME_WINDOW_UNREACHABLE,
    Hub,
    Load,
    Matrices,
    Problem,
    SearchSettings,
    Stop,
    Vehicle,
    as_collection,
    check_result,
    solve,
)

FAST = 0.3


def test_stops_on_a_line_are_driven_out_and_back_once():
    problem = line_problem({"a": 3, "b": 1, "c": 2}, [van()])
    result = solve(problem, FAST)
    assert len(result.routes) == 1
    assert result.routes[0].stop_ids in (["b", "c", "a"], ["a", "c", "b"])
    assert result.distance == pytest.approx(6000)
    assert result.km == pytest.approx(6.0)
    assert result.cost_cents == round(6 * 40)
    assert check_result(problem, result).is_feasible


def test_square_with_two_vans_is_optimal():
    # Hub in the middle of a 2 km square's left edge; corners must be split over two vans of capacity 2.
    coords = {"hub": (0, 1), "a": (0, 0), "b": (2, 0), "c": (2, 2), "d": (0, 2)}
    names = list(coords)
    dist = [[1000 * (abs(coords[p][0] - coords[q][0]) + abs(coords[p][1] - coords[q][1])) for q in names]
            for p in names]
    problem = Problem(
        hubs=(Hub("hub", matrix_index=0),),
        stops=tuple(Stop(n, matrix_index=i, demand=Load(ambient=1)) for i, n in enumerate(names) if i),
        vehicles=(van("v1", ambient=2), van("v2", ambient=2)),
        matrices=Matrices(dist, [[d / 10 for d in row] for row in dist]),
    )
    result = solve(problem, FAST)
    # Best: 12 km, e.g. hub-a-b-hub (1+2+3) and hub-d-c-hub (1+2+3); one van for all would do 8.
    assert result.distance == pytest.approx(12000)
    assert sorted(len(r.stops) for r in result.routes) == [2, 2]


def test_chilled_capacity_is_respected_per_class():
    demands = {"a": Load(ambient=1, chilled=3), "b": Load(ambient=1, chilled=3)}
    problem = line_problem({"a": 1, "b": 2}, [van("v1", ambient=10, chilled=4), van("v2", ambient=10, chilled=4)],
                           demands=demands)
    result = solve(problem, FAST)
    assert not result.unserved
    assert len(result.routes) == 2, "both chilled loads together exceed one van's cooled space"
    for route in result.routes:
        assert route.peak_load.chilled <= 4
    assert check_result(problem, result).is_feasible


def test_time_windows_force_the_far_stop_first_and_arrivals_are_inside():
    # The far stop closes early, the near one opens late: the van must go far first.
    windows = {"near": (3000, 4000), "far": (0, 700)}
    problem = line_problem({"near": 1, "far": 5}, [van()], windows=windows)
    result = solve(problem, FAST)
    route = result.routes[0]
    assert route.stop_ids == ["far", "near"]
    for planned in route.stops:
        early, late = windows[planned.stop_id]
        assert early <= planned.service_start <= late
    near = route.stops[1]
    assert near.arrival < near.service_start == 3000, "the van waits for the window to open"
    assert check_result(problem, result).is_feasible


def test_shift_end_leaves_out_what_does_not_fit_and_says_so():
    # Each stop alone fits the 15-minute shift (2 × 400 s), both together (1200 s + service) do not.
    problem = line_problem({"east": 4, "west": -4}, [van(start=0, end=900)], service=60)
    result = solve(problem, FAST)
    assert len(result.routes) == 1 and len(result.routes[0].stops) == 1
    assert [u.reason for u in result.unserved] == [NOT_ROUTED]
    assert result.routes[0].end_time <= 900
    assert check_result(problem, result).is_feasible


def test_unserved_stops_carry_their_reason():
    hub = Hub("hub", lat=50.33, lon=7.22)
    stops = (
        Stop("ok", lat=50.34, lon=7.23),
        Stop("nowhere"),
        Stop("huge", lat=50.35, lon=7.21, demand=Load(frozen=9)),
        Stop("late", lat=50.36, lon=7.20, time_window=(1 * 3600, 2 * 3600)),
    )
    vehicles = (Vehicle("v", Load(20, 5, 2), shift_start=6 * 3600, shift_end=14 * 3600),)
    result = solve(Problem(hubs=(hub,), stops=stops, vehicles=vehicles), FAST)
    assert result.unserved_reasons() == {
        "nowhere": NO_COORDINATES, "huge": CAPACITY_EXCEEDED, "late": TIME_WINDOW_UNREACHABLE}
    assert [r.stop_ids for r in result.routes] == [["ok"]]
    empty = solve(Problem(hubs=(hub,), stops=stops[:1], vehicles=()), FAST)
    assert empty.unserved_reasons() == {"ok": NO_VEHICLE} and not empty.routes


def test_collection_tour_picks_up_and_fills_the_van():
    problem = as_collection(line_problem({"farm": 2, "bakery": 3}, [van(ambient=5)],
                                         demands={"farm": Load(ambient=2), "bakery": Load(ambient=3)}))
    result = solve(problem, FAST)
    route = result.routes[0]
    assert route.start_load == Load()
    assert route.stops[-1].load_after == Load(ambient=5)
    assert result.distance == pytest.approx(6000)
    assert check_result(problem, result).is_feasible


def test_pickups_beyond_capacity_need_a_second_van():
    problem = as_collection(line_problem({"a": 1, "b": 2}, [van("v1", ambient=4), van("v2", ambient=4)],
                                         demands={"a": Load(ambient=3), "b": Load(ambient=3)}))
    result = solve(problem, FAST)
    assert len(result.routes) == 2 and not result.unserved
    assert all(r.peak_load.ambient <= 4 for r in result.routes)


def test_mixed_drops_and_pickups_keep_the_load_within_capacity():
    kinds = {"shop": "drop", "farm": "pickup"}
    demands = {"shop": Load(ambient=4), "farm": Load(ambient=4)}
    # Capacity 4: the van must drop at the shop before it picks up at the farm.
    problem = line_problem({"farm": 1, "shop": 2}, [van(ambient=4)], kinds=kinds, demands=demands)
    result = solve(problem, FAST)
    assert result.routes[0].stop_ids == ["shop", "farm"]
    assert check_result(problem, result).is_feasible


@pytest.mark.parametrize("seconds", [0, -1])
def test_time_limit_must_be_positive(seconds):
    with pytest.raises(ValueError, match="positive"):
        solve(line_problem({"a": 1}, [van()]), seconds)


def test_single_worker_and_given_seeds_work():
    problem = line_problem({"a": 1, "b": 2}, [van()])
    result = solve(problem, 0.2, seeds=[5], workers=1)
    assert result.distance == pytest.approx(4000)


def test_two_workers_share_the_best_and_stop_at_the_time_limit():
    problem = line_problem({f"s{k}": k for k in range(1, 13)}, [van("v1", ambient=4), van("v2", ambient=4),
                                                                 van("v3", ambient=4)])
    started = time.perf_counter()
    result = solve(problem, 0.6, seeds=[1, 2], workers=2)
    wall = time.perf_counter() - started
    assert 0.55 < wall < 1.5
    # Three out-and-back trips to the farthest stop of each group of four: 2 × (4 + 8 + 12) km.
    assert result.distance == pytest.approx(48000)
    assert check_result(problem, result).is_feasible


def test_search_settings_adapt_to_the_time_limit():
    problem = line_problem({"a": 1, "b": 2, "c": 3}, [van()])
    settings = SearchSettings(penalty_updates=10, iterations_per_history=5)
    result = solve(problem, 0.2, seeds=[3], workers=1, settings=settings)
    assert result.distance == pytest.approx(6000)
