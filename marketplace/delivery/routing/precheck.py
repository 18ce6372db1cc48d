"""Finds stops that no vehicle can serve before the solver runs, each with its reason code."""
from __future__ import annotations

from .distances import geodesic_matrices
from .problem import (
    CAPACITY_EXCEEDED,
    GOODS_TOO_LATE,
    NO_COORDINATES,
    NO_VEHICLE,
    TIME_WINDOW_UNREACHABLE,
    Matrices,
    Problem,
    RoutingError,
    Stop,
    UnservedStop,
    Vehicle,
)

_EPS = 1e-6


def locate(problem: Problem) -> tuple[Matrices, dict[str, int], dict[str, int], list[UnservedStop]]:
    """Matrices for the problem and each hub's and located stop's index into them."""
    unserved: list[UnservedStop] = []
    stop_index: dict[str, int] = {}
    if problem.matrices is not None:
        size = problem.matrices.size
        hub_index = {}
        for hub in problem.hubs:
            if hub.matrix_index is None or not 0 <= hub.matrix_index < size:
                raise RoutingError(f"hub {hub.id} has no valid matrix index")
            hub_index[hub.id] = hub.matrix_index
        for stop in problem.stops:
            if stop.matrix_index is not None and 0 <= stop.matrix_index < size:
                stop_index[stop.id] = stop.matrix_index
            else:
                unserved.append(UnservedStop(stop.id, NO_COORDINATES, "the stop is not in the distance matrix"))
        return problem.matrices, hub_index, stop_index, unserved
    points = []
    hub_index = {}
    for hub in problem.hubs:
        if hub.lat is None or hub.lon is None:
            raise RoutingError(f"hub {hub.id} has no coordinates")
        hub_index[hub.id] = len(points)
        points.append((hub.lat, hub.lon))
    for stop in problem.stops:
        if stop.lat is None or stop.lon is None:
            unserved.append(UnservedStop(stop.id, NO_COORDINATES, "the stop's place has no coordinates"))
            continue
        stop_index[stop.id] = len(points)
        points.append((stop.lat, stop.lon))
    return geodesic_matrices(points), hub_index, stop_index, unserved


def can_reach(problem: Problem, matrices: Matrices, hub_at: int, at: int, stop: Stop, vehicle: Vehicle,
              released: bool = True) -> bool:
    """Whether `vehicle` alone could drive out, serve `stop` inside its window and get back in its shift.

    `released`: not before the stop's release time (False: as if its goods were there at once).
    """
    leaves = max(vehicle.shift_start, stop.release_time) if released else vehicle.shift_start
    arrival = leaves + matrices.duration[hub_at][at]
    early, late = stop.time_window if stop.time_window else (arrival, arrival)
    start = max(arrival, early)
    if stop.time_window and start > late + _EPS:
        return False
    back = start + stop.service_seconds + matrices.duration[at][hub_at]
    return back <= vehicle.shift_end + _EPS


def check(problem: Problem) -> tuple[Matrices, list[int], list[Stop], list[UnservedStop]]:
    """Matrices, node indices (hubs, then routable stops), routable stops and refused stops."""
    matrices, hub_index, stop_index, unserved = locate(problem)
    routable: list[Stop] = []
    for stop in problem.stops:
        if stop.id not in stop_index:
            continue
        if not problem.vehicles:
            unserved.append(UnservedStop(stop.id, NO_VEHICLE, "no vehicle is available for this day"))
            continue
        fitting = [v for v in problem.vehicles if stop.demand.fits_in(v.capacity)]
        if not fitting:
            unserved.append(UnservedStop(
                stop.id, CAPACITY_EXCEEDED,
                f"load {stop.demand.as_list()} (ambient, chilled, frozen) fits no vehicle"))
            continue
        at = stop_index[stop.id]
        if not any(can_reach(problem, matrices, hub_index[problem.hub_of(v).id], at, stop, v) for v in fitting):
            if stop.release_time and any(
                    can_reach(problem, matrices, hub_index[problem.hub_of(v).id], at, stop, v, released=False)
                    for v in fitting):
                unserved.append(UnservedStop(
                    stop.id, GOODS_TOO_LATE,
                    "its goods reach the hub too late to bring them inside its time window and the shifts"))
            else:
                unserved.append(UnservedStop(
                    stop.id, TIME_WINDOW_UNREACHABLE,
                    "no vehicle reaches it inside its time window and returns within its shift"))
            continue
        routable.append(stop)
    node_index = [hub_index[h.id] for h in problem.hubs] + [stop_index[s.id] for s in routable]
    return matrices, node_index, routable, unserved
