"""Small hand-made routing problems for the tests (imported by the test modules)."""
from __future__ import annotations

from marketplace.delivery.routing import Hub, Load, Matrices, Problem, Stop, Vehicle

SPEED = 10  # metres per second in the hand-made matrices


def line_problem(positions_km: dict[str, float], vehicles, windows=None, demands=None, kinds=None,
                 service=0) -> Problem:
    """Hub at 0 km, stops on a straight road; distance = |a − b|, duration at 10 m/s."""
    windows, demands, kinds = windows or {}, demands or {}, kinds or {}
    names = ["hub", *positions_km]
    xs = [0.0] + [positions_km[n] * 1000 for n in positions_km]
    dist = [[abs(a - b) for b in xs] for a in xs]
    dur = [[abs(a - b) / SPEED for b in xs] for a in xs]
    stops = tuple(
        Stop(id=n, matrix_index=i, demand=demands.get(n, Load(ambient=1)), kind=kinds.get(n, "drop"),
             time_window=windows.get(n), fixed_service_seconds=service)
        for i, n in enumerate(names) if i > 0
    )
    return Problem(hubs=(Hub("hub", matrix_index=0),), stops=stops, vehicles=tuple(vehicles),
                   matrices=Matrices(dist, dur))


def van(vid="van", ambient=100, chilled=0, frozen=0, start=0, end=24 * 3600, hub_id=None) -> Vehicle:
    return Vehicle(id=vid, capacity=Load(ambient, chilled, frozen), shift_start=start, shift_end=end,
                   cost_per_km_cents=40, cost_per_hour_cents=0, hub_id=hub_id)
