"""An independent check of planned tours: loads, windows, shifts, coverage, and the cost in doubles.

Written apart from the solver adapter on purpose: it reads only the problem's own data, so a
bug in how tours are built or read back cannot hide here too.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .distances import geodesic_matrices
from .problem import Matrices, Problem, Result

_EPS = 1e-6


@dataclass
class Report:
    """What the check found; `cost` is the total distance recomputed in double precision."""

    violations: list[str] = field(default_factory=list)
    cost: float = 0.0
    routes: int = 0

    @property
    def is_feasible(self) -> bool:
        return not self.violations


def _fits(load: list[int], capacity: list[int]) -> bool:
    """Crates per class against room per class: chilled room may take ambient crates, nothing else mixes."""
    ambient, chilled, frozen = load
    room_ambient, room_chilled, room_frozen = capacity
    return (min(load) >= 0 and chilled <= room_chilled and frozen <= room_frozen
            and ambient + chilled <= room_ambient + room_chilled)


def _indices(problem: Problem) -> tuple[Matrices, dict[str, int]]:
    if problem.matrices is not None:
        where = {h.id: h.matrix_index for h in problem.hubs}
        where.update({s.id: s.matrix_index for s in problem.stops if s.matrix_index is not None})
        return problem.matrices, where
    points, where = [], {}
    for place in list(problem.hubs) + [s for s in problem.stops if s.lat is not None and s.lon is not None]:
        where[place.id] = len(points)
        points.append((place.lat, place.lon))
    return geodesic_matrices(points), where


def check_tours(problem: Problem, tours: Sequence[tuple[str | None, Sequence[str]]],
                unserved: Sequence[str] = (), start_times: Sequence[float | None] | None = None) -> Report:
    """Check tours given as (vehicle id or None, stop ids in order).

    A None vehicle takes the next unused vehicle in the problem's order (benchmarks, where all
    vehicles are alike). Each tour leaves at its start time (default: its shift start) and may wait.
    With `problem.max_reloads`, a vehicle's further tours are its next trips, given in time order:
    each leaves only once the one before is back.
    """
    report = Report()
    matrices, where = _indices(problem)
    stops = {s.id: s for s in problem.stops}
    vehicles = {v.id: v for v in problem.vehicles}
    free = [v.id for v in problem.vehicles]
    trips: dict[str, int] = {}
    back: dict[str, float] = {}  # vehicle id → when its latest trip is back at the hub
    seen: dict[str, int] = {}
    for stop_id in unserved:
        seen[stop_id] = seen.get(stop_id, 0) + 1
    for n, (vehicle_id, stop_ids) in enumerate(tours):
        if not stop_ids:
            continue
        report.routes += 1
        if vehicle_id is None:
            if not free:
                report.violations.append(f"tour {n}: more tours than vehicles ({len(problem.vehicles)})")
                continue
            vehicle_id = free[0]
        if vehicle_id not in vehicles:
            report.violations.append(f"tour {n}: unknown vehicle {vehicle_id}")
            continue
        again = vehicle_id not in free
        if again and not problem.max_reloads:
            report.violations.append(f"tour {n}: vehicle {vehicle_id} is used twice")
            continue
        if again:
            trips[vehicle_id] += 1
            if trips[vehicle_id] > problem.max_reloads + 1:
                report.violations.append(f"tour {n}: vehicle {vehicle_id} makes more trips than allowed")
        else:
            free.remove(vehicle_id)
            trips[vehicle_id] = 1
        vehicle = vehicles[vehicle_id]
        hub_id = vehicle.hub_id or problem.hubs[0].id
        for stop_id in stop_ids:
            seen[stop_id] = seen.get(stop_id, 0) + 1
        known = [s for s in stop_ids if s in stops and s in where]
        if len(known) != len(stop_ids):
            report.violations.append(f"tour {n}: visits unknown or unlocated stops")
            continue
        released = max((stops[s].release_time for s in stop_ids), default=0)
        start = max(vehicle.shift_start, released)
        if start_times is not None and start_times[n] is not None:
            start = start_times[n]
            if start < vehicle.shift_start - _EPS:
                report.violations.append(f"tour {n}: leaves at {start:g}, before the shift starts")
            if start < released - _EPS:
                report.violations.append(f"tour {n}: leaves at {start:g}, before its goods are there ({released:g})")
        capacity = vehicle.capacity.as_list()
        load = [0, 0, 0]
        for stop_id in stop_ids:
            if stops[stop_id].kind == "drop":
                load = [a + b for a, b in zip(load, stops[stop_id].demand.as_list(), strict=False)]
        if not _fits(load, capacity):
            report.violations.append(f"tour {n}: loads {load} at the hub, capacity {capacity}")
        t, at, distance = start, where[hub_id], 0.0
        for stop_id in stop_ids:
            stop, nxt = stops[stop_id], where[stop_id]
            distance += matrices.distance[at][nxt]
            t += matrices.duration[at][nxt]
            if stop.time_window is not None:
                early, late = stop.time_window
                if t > late + _EPS:
                    report.violations.append(f"tour {n}: reaches {stop_id} at {t:.4f}, after its window ends ({late:g})")
                t = max(t, early)
            t += stop.service_seconds
            sign = -1 if stop.kind == "drop" else 1
            load = [a + sign * b for a, b in zip(load, stop.demand.as_list(), strict=False)]
            if not _fits(load, capacity):
                report.violations.append(f"tour {n}: carries {load} after {stop_id}, capacity {capacity}")
            at = nxt
        distance += matrices.distance[at][where[hub_id]]
        t += matrices.duration[at][where[hub_id]]
        if t > vehicle.shift_end + _EPS:
            report.violations.append(f"tour {n}: returns at {t:.4f}, after the shift ends ({vehicle.shift_end:g})")
        if vehicle_id in back and start < back[vehicle_id] - _EPS:
            report.violations.append(f"tour {n}: vehicle {vehicle_id} leaves at {start:g}, before its previous "
                                     f"trip is back ({back[vehicle_id]:g})")
        back[vehicle_id] = t
        report.cost += distance
    for stop in problem.stops:
        count = seen.get(stop.id, 0)
        if count != 1:
            what = "is neither served nor reported unserved" if count == 0 else f"appears {count} times"
            report.violations.append(f"stop {stop.id} {what}")
    unknown = set(seen) - set(stops)
    if unknown:
        report.violations.append(f"unknown stops {sorted(unknown)[:5]}")
    return report


def check_result(problem: Problem, result: Result) -> Report:
    """Check a solver result, including that its reported distances match the recomputed ones."""
    tours = [(r.vehicle_id, r.stop_ids) for r in result.routes]
    report = check_tours(problem, tours, [u.stop_id for u in result.unserved],
                         [r.start_time for r in result.routes])
    if abs(report.cost - result.distance) > 1e-6 * max(1.0, report.cost):
        report.violations.append(f"reported distance {result.distance} differs from recomputed {report.cost}")
    for route in result.routes:
        for planned in route.stops:
            if planned.service_start < planned.arrival - _EPS:
                report.violations.append(f"stop {planned.stop_id}: service starts before arrival")
    return report
