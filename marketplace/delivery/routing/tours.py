"""Turns the solver's visit orders into tours with times, distances, loads and costs."""
from __future__ import annotations

from .problem import (
    Load,
    Matrices,
    PlannedStop,
    Problem,
    Result,
    Route,
    Stop,
    UnservedStop,
    Vehicle,
)


def schedule_route(problem: Problem, matrices: Matrices, hub_at: int, vehicle: Vehicle,
                   stops: list[tuple[Stop, int]], start_time: float) -> Route:
    """A tour leaving its hub at `start_time`, waiting where a window is not yet open."""
    start_load = Load()
    for stop, _ in stops:
        if stop.kind == "drop":
            start_load = start_load + stop.demand
    load = peak = start_load
    planned = []
    t, total, at = start_time, 0.0, hub_at
    for stop, idx in stops:
        leg = matrices.distance[at][idx]
        total += leg
        arrival = t + matrices.duration[at][idx]
        service_start = max(arrival, stop.time_window[0]) if stop.time_window else arrival
        t = service_start + stop.service_seconds
        load = load - stop.demand if stop.kind == "drop" else load + stop.demand
        peak = Load.from_list([max(a, b) for a, b in zip(peak.as_list(), load.as_list(), strict=False)])
        planned.append(PlannedStop(stop.id, stop.kind, arrival, service_start, t, leg, total, load))
        at = idx
    total += matrices.distance[at][hub_at]
    end = t + matrices.duration[at][hub_at]
    cost = round(total / 1000 * vehicle.cost_per_km_cents + (end - start_time) / 3600 * vehicle.cost_per_hour_cents)
    return Route(vehicle.id, problem.hub_of(vehicle).id, tuple(planned), start_time, end, total,
                 end - start_time, start_load, peak, cost)


def build_result(problem: Problem, matrices: Matrices, node_index: list[int], routable: list[Stop],
                 named_routes: list, unserved: list[UnservedStop], seconds: float) -> Result:
    """`node_index`: matrix index of each hub, then of each `routable` stop.

    `named_routes`: (vehicle, its trips as stops in visiting order, start time) per used vehicle;
    each trip becomes one `Route`, the vehicle's trips one after the other.
    """
    n_hubs = len(problem.hubs)
    hub_at = {hub.id: node_index[k] for k, hub in enumerate(problem.hubs)}
    stop_at = {stop.id: node_index[n_hubs + k] for k, stop in enumerate(routable)}
    routes = []
    for vehicle, trips, start in named_routes:
        # Each trip leaves as soon as the previous one is back and its goods are at the hub.
        for trip in trips:
            released = max((stop.release_time for stop in trip), default=0)
            start = max(start, released) if not routes or routes[-1].vehicle_id != vehicle.id else max(
                routes[-1].end_time, released)
            routes.append(schedule_route(problem, matrices, hub_at[problem.hub_of(vehicle).id], vehicle,
                                         [(stop, stop_at[stop.id]) for stop in trip], start))
    return Result(
        routes=tuple(routes),
        unserved=tuple(unserved),
        distance=sum(r.distance for r in routes),
        duration=sum(r.duration for r in routes),
        cost_cents=sum(r.cost_cents for r in routes),
        solver_seconds=seconds,
        matrix_source=matrices.source,
    )
