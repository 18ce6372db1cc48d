"""Plans a delivery day per sub-region, and the same day without borders for the grouping cost."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from .distances import build_matrices
from .problem import Problem, Result, RoutingError
from .solver import solve


@dataclass(frozen=True)
class GroupingCost:
    """What planning by sub-region costs over planning the region as one: with − without borders."""

    km: float
    hours: float
    cost_cents: int
    km_with_borders: float
    km_without_borders: float


def with_matrices(problem: Problem, osrm_url: str | None = None, day: object = None) -> Problem:
    """The problem with its matrices filled in (OSRM if configured, else geodesic), cached per day."""
    if problem.matrices is not None:
        return problem
    places = [h for h in problem.hubs] + [s for s in problem.stops if s.lat is not None and s.lon is not None]
    for hub in problem.hubs:
        if hub.lat is None or hub.lon is None:
            raise RoutingError(f"hub {hub.id} has no coordinates")
    matrices = build_matrices([(p.lat, p.lon) for p in places], osrm_url, day=day)
    index = {id(p): k for k, p in enumerate(places)}
    hubs = tuple(replace(h, matrix_index=index[id(h)]) for h in problem.hubs)
    stops = tuple(replace(s, matrix_index=index.get(id(s))) for s in problem.stops)
    return replace(problem, hubs=hubs, stops=stops, matrices=matrices)


def plan_tours(problem_by_subregion: Mapping[str, Problem], seconds: float, *, osrm_url: str | None = None,
               day: object = None, seeds: list[int] | None = None, workers: int | None = None,
               repeatable: bool = False) -> dict[str, Result]:
    """Tours per sub-region, each planned within `seconds` (`repeatable`: see `solver.solve`)."""
    if seconds is None or not seconds > 0:
        raise ValueError(f"the time limit must be a positive number of seconds, got {seconds!r}")
    return {
        key: solve(with_matrices(problem, osrm_url, day), seconds, seeds=seeds, workers=workers,
                   repeatable=repeatable)
        for key, problem in problem_by_subregion.items()
    }


def merge_problems(problem_by_subregion: Mapping[str, Problem], single_hub: bool = False) -> Problem:
    """All sub-regions' stops and vehicles as one problem.

    Each vehicle keeps its own hub (so any plan with borders is also a plan without them), unless
    `single_hub` sends every vehicle from the first sub-region's hub. Needs coordinates, not
    precomputed matrices, since the sub-regions' matrices do not cover each other's places.
    """
    problems = list(problem_by_subregion.values())
    if not problems:
        raise RoutingError("nothing to merge")
    if any(p.matrices is not None for p in problems):
        raise RoutingError("merging needs coordinates; precomputed matrices cannot be combined")
    hubs, vehicles, stops = {}, [], []
    first_hub = problems[0].hubs[0]
    for problem in problems:
        for hub in problem.hubs:
            hubs.setdefault(hub.id, hub)
        for vehicle in problem.vehicles:
            hub_id = first_hub.id if single_hub else problem.hub_of(vehicle).id
            vehicles.append(replace(vehicle, hub_id=hub_id))
        stops.extend(problem.stops)
    hub_list = (first_hub,) if single_hub else tuple(hubs.values())
    return Problem(hubs=hub_list, stops=tuple(stops), vehicles=tuple(vehicles),
                   scale=problems[0].scale, name="without borders",
                   max_reloads=max(p.max_reloads for p in problems))


def plan_without_borders(problem_by_subregion: Mapping[str, Problem], seconds: float, *,
                         single_hub: bool = False, osrm_url: str | None = None, day: object = None,
                         seeds: list[int] | None = None, workers: int | None = None,
                         repeatable: bool = False) -> Result:
    """The same day planned as one problem, ignoring sub-region borders."""
    merged = merge_problems(problem_by_subregion, single_hub=single_hub)
    return plan_tours({"all": merged}, seconds, osrm_url=osrm_url, day=day, seeds=seeds, workers=workers,
                      repeatable=repeatable)["all"]


def grouping_cost(with_borders: Mapping[str, Result], without_borders: Result) -> GroupingCost:
    km_with = sum(r.km for r in with_borders.values())
    return GroupingCost(
        km=km_with - without_borders.km,
        hours=sum(r.hours for r in with_borders.values()) - without_borders.hours,
        cost_cents=sum(r.cost_cents for r in with_borders.values()) - without_borders.cost_cents,
        km_with_borders=km_with,
        km_without_borders=without_borders.km,
    )


def as_collection(problem: Problem) -> Problem:
    """The same stops as a collection tour: goods are picked up and brought to the hub."""
    return replace(problem, stops=tuple(replace(s, kind="pickup") for s in problem.stops))
