"""The PyVRP adapter: checks a problem, builds PyVRP's model, searches on all cores, reads tours back."""
from __future__ import annotations

import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import reduce

import pyvrp
from pyvrp import (
    IteratedLocalSearch,
    IteratedLocalSearchParams,
    PenaltyManager,
    PenaltyParams,
    RandomNumberGenerator,
    Solution,
    SolveParams,
)
from pyvrp.search import (
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)
from pyvrp.stop import MaxRuntime

from . import precheck
from .problem import NOT_ROUTED, Problem, Result, UnservedStop
from .tours import build_result

# Cost unit inside the solver: 1/18000 cent, so that cents per km (per metre: ×18) and cents
# per hour (per second: ×5) both become integers. Divided by their gcd afterwards.
_KM_FACTOR = 18
_HOUR_FACTOR = 5

# Search settings measured on the Solomon set (see README-routing.md): late-acceptance
# history and perturbation strength of PyVRP's iterated local search, and how the time is
# split between independent starts and a warm-started second phase.
HISTORY_LENGTH = 100
MAX_PERTURBATIONS = 25
FIRST_PHASE_SHARE = 1.0


@dataclass
class _Prepared:
    problem: Problem
    unserved: list[UnservedStop]
    routable: list  # stops handed to the solver, in client order
    node_index: list[int]  # hubs then routable stops -> index into `matrices`
    matrices: object
    vehicle_groups: list[list]  # one list of vehicles per PyVRP vehicle type


def solve(problem: Problem, seconds: float, seeds: list[int] | None = None, workers: int | None = None,
          settings: SearchSettings | None = None) -> Result:
    """Plan tours for `problem` within about `seconds` of wall time.

    Runs the search on `workers` processes (default: all cores) with different `seeds` and
    keeps the best. Stops that cannot be served are in `Result.unserved` with a reason.
    """
    if seconds is None or not seconds > 0:
        raise ValueError(f"the time limit must be a positive number of seconds, got {seconds!r}")
    started = time.perf_counter()
    prepared = _prepare(problem)
    if not prepared.routable:
        return build_result(problem, prepared.matrices, prepared.node_index, [], [], prepared.unserved,
                            time.perf_counter() - started)
    data = _problem_data(prepared)
    if seeds is None:
        workers = workers or max(1, min(os.cpu_count() or 1, 8))
        seeds = list(range(1, workers + 1))
    else:
        seeds = list(seeds) or [1]
        workers = workers or min(len(seeds), os.cpu_count() or 1)
    settings = settings or SETTINGS
    prize = max((c.prize for c in data.clients()), default=0)
    if prize:
        # One unit of excess load or time warp at the highest penalty must outweigh leaving a
        # stop out, or the search settles on overloaded tours that keep every stop.
        settings = replace(settings, max_penalty=max(settings.max_penalty, 2.0 * prize))
    budget = seconds - (time.perf_counter() - started)
    best = _search(data, max(budget, 0.05), seeds, workers, settings)
    routes = []
    served: set[int] = set()
    if best is not None and best.is_feasible():
        for route in best.routes():
            clients = [a.idx for a in route if a.is_client()]
            if clients:
                routes.append((route.vehicle_type(), clients, route.start_time() / problem.scale))
                served.update(clients)
    unserved = list(prepared.unserved)
    for i, stop in enumerate(prepared.routable):
        if i not in served:
            unserved.append(UnservedStop(stop.id, NOT_ROUTED, "the solver found no tour with room for it"))
    named_routes = _name_routes(prepared, routes)
    return build_result(problem, prepared.matrices, prepared.node_index, prepared.routable, named_routes, unserved,
                        time.perf_counter() - started)


def _prepare(problem: Problem) -> _Prepared:
    matrices, node_index, routable, unserved = precheck.check(problem)
    groups: dict[tuple, list] = {}
    for vehicle in problem.vehicles:
        key = (vehicle.capacity, vehicle.shift_start, vehicle.shift_end, vehicle.cost_per_km_cents,
               vehicle.cost_per_hour_cents, problem.hub_of(vehicle).id)
        groups.setdefault(key, []).append(vehicle)
    return _Prepared(problem, unserved, routable, node_index, matrices, list(groups.values()))


def _name_routes(prepared: _Prepared, routes: list) -> list:
    named = []
    used = [0] * len(prepared.vehicle_groups)
    for vehicle_type, clients, start in sorted(routes, key=lambda r: (r[0], r[1])):
        vehicle = prepared.vehicle_groups[vehicle_type][used[vehicle_type]]
        used[vehicle_type] += 1
        named.append((vehicle, [prepared.routable[c] for c in clients], start))
    return named


def _unit_costs(vehicles: list) -> list[tuple[int, int]]:
    raw = [(v.cost_per_km_cents * _KM_FACTOR, v.cost_per_hour_cents * _HOUR_FACTOR) for v in vehicles]
    if all(d == 0 and t == 0 for d, t in raw):
        return [(1, 0)] * len(raw)
    divisor = reduce(math.gcd, [x for pair in raw for x in pair if x]) or 1
    return [(d // divisor, t // divisor) for d, t in raw]


def _problem_data(prepared: _Prepared) -> pyvrp.ProblemData:
    problem, scale = prepared.problem, prepared.problem.scale
    matrices, idx = prepared.matrices, prepared.node_index
    n_hubs = len(problem.hubs)
    costs = _unit_costs([group[0] for group in prepared.vehicle_groups])
    # Loads are scaled like distances so PyVRP's penalty per unit of excess load keeps its
    # weight against distance costs.
    load_scale = scale * max(1, max(d for d, _ in costs))

    dist = [[round(matrices.distance[a][b] * scale) for b in idx] for a in idx]
    # Durations round up, windows round inwards: what is feasible for the solver is feasible
    # in exact arithmetic too.
    dur = [[math.ceil(matrices.duration[a][b] * scale - 1e-6) for b in idx] for a in idx]

    model = pyvrp.Model()
    locations = []
    for k, hub in enumerate(problem.hubs):
        locations.append(model.add_location(*_xy(hub, k)))
    depots = [model.add_depot(loc, name=hub.id) for loc, hub in zip(locations, problem.hubs, strict=False)]
    hub_pos = {hub.id: k for k, hub in enumerate(problem.hubs)}

    max_edge_cost = max(max(map(max, dist)) * max(d for d, _ in costs), 1)
    max_time_cost = max(t for _, t in costs) * max(
        (math.ceil((g[0].shift_end - g[0].shift_start) * scale) for g in prepared.vehicle_groups), default=0)
    prize = 10 * (2 * max_edge_cost + max_time_cost) + 1

    for k, stop in enumerate(prepared.routable):
        loc = model.add_location(*_xy(stop, n_hubs + k))
        locations.append(loc)
        demand = [q * load_scale for q in stop.demand.as_list()]
        none = [0, 0, 0]
        early, late = stop.time_window if stop.time_window else (0, None)
        model.add_client(
            loc,
            delivery=demand if stop.kind == "drop" else none,
            pickup=demand if stop.kind == "pickup" else none,
            service_duration=math.ceil(stop.service_seconds * scale - 1e-6),
            tw_early=math.ceil(early * scale - 1e-6),
            tw_late=math.floor(late * scale + 1e-6) if late is not None else 2**62,
            required=problem.all_required,
            prize=0 if problem.all_required else prize,
            name=stop.id,
        )
    for group, (unit_dist, unit_dur) in zip(prepared.vehicle_groups, costs, strict=False):
        vehicle = group[0]
        depot = depots[hub_pos[problem.hub_of(vehicle).id]]
        model.add_vehicle_type(
            num_available=len(group),
            capacity=[c * load_scale for c in vehicle.capacity.as_list()],
            start_depot=depot,
            end_depot=depot,
            tw_early=math.ceil(vehicle.shift_start * scale - 1e-6),
            tw_late=math.floor(vehicle.shift_end * scale + 1e-6),
            unit_distance_cost=unit_dist,
            unit_duration_cost=unit_dur,
            name=vehicle.id,
        )
    for a, frm in enumerate(locations):
        for b, to in enumerate(locations):
            model.add_edge(frm, to, distance=dist[a][b], duration=dur[a][b])
    return model.data()


def _xy(place, k: int) -> tuple[float, float]:
    if place.lat is not None and place.lon is not None:
        return float(place.lon), float(place.lat)
    return float(k), 0.0


@dataclass(frozen=True)
class SearchSettings:
    """Tunable search parameters, kept picklable so worker processes can receive them."""

    history_length: int = HISTORY_LENGTH
    max_perturbations: int = MAX_PERTURBATIONS
    num_neighbours: int = 50
    num_iters_no_improvement: int = 150_000
    first_phase_share: float = FIRST_PHASE_SHARE
    data_penalties: bool = False
    penalty_decrease: float = 0.9
    solutions_between_updates: int = 500
    max_penalty: float = 100_000.0

    def solve_params(self) -> SolveParams:
        return SolveParams(
            ils=IteratedLocalSearchParams(history_length=self.history_length,
                                          num_iters_no_improvement=self.num_iters_no_improvement),
            penalty=PenaltyParams(penalty_decrease=self.penalty_decrease,
                                  solutions_between_updates=self.solutions_between_updates,
                                  max_penalty=self.max_penalty),
            neighbourhood=NeighbourhoodParams(num_neighbours=self.num_neighbours),
            perturbation=PerturbationParams(max_perturbations=self.max_perturbations),
        )


SETTINGS = SearchSettings()


def _run_one(data: pyvrp.ProblemData, seconds: float, seed: int, settings: SearchSettings,
             initial: Solution | None) -> tuple[float, Solution | None]:
    """One iterated local search from a random start or `initial`; runs in a worker process."""
    params = settings.solve_params()
    stop = MaxRuntime(max(seconds, 0.0))
    stop(0)  # start the clock now, so the construction counts against the limit
    rng = RandomNumberGenerator(seed=seed)
    ls = LocalSearch(data, rng, compute_neighbours(data, params.neighbourhood),
                     PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    initial_penalties = params.penalty.midpoint_penalties(data)
    if settings.data_penalties:
        initial_penalties = _data_penalties(data)
    pm = PenaltyManager(initial_penalties, params.penalty)
    if initial is None:
        initial = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
    result = IteratedLocalSearch(data, pm, ls, initial, params.ils).run(stop, collect_stats=False)
    best = result.best
    cost = result.cost() if best.is_feasible() else math.inf
    return cost, best


def _data_penalties(data: pyvrp.ProblemData) -> tuple[list[float], float, float]:
    """Start penalties at the scale of the data (one unit of excess ~ the longest edge's cost).

    PyVRP's midpoint default is far above that and takes most of a short run to come down.
    """
    distances = data.distance_matrix(0)
    durations = data.duration_matrix(0)
    unit_cost = max(vt.unit_distance_cost for vt in data.vehicle_types())
    max_cost = max(float(distances.max()) * unit_cost, 1.0)
    loads = []
    for dim in range(data.num_load_dimensions):
        biggest = max((max(c.delivery[dim], c.pickup[dim]) for c in data.clients()), default=0)
        loads.append(max_cost / biggest if biggest else 1.0)
    return loads, max_cost / max(float(durations.max()), 1.0), max_cost


def _search(data: pyvrp.ProblemData, seconds: float, seeds: list[int], workers: int,
            settings: SearchSettings | None = None) -> Solution | None:
    params = settings or SETTINGS
    deadline = time.perf_counter() + seconds
    first = seconds * params.first_phase_share
    results = _run_many(data, first, seeds, params, None, workers)
    best_cost, best = min(results, key=lambda r: r[0])
    remaining = deadline - time.perf_counter()
    if remaining > 0.05 and params.first_phase_share < 1.0 and best is not None:
        second_seeds = [s + 1000 for s in seeds]
        results = _run_many(data, remaining, second_seeds, params, best, workers)
        cost, sol = min(results, key=lambda r: r[0])
        if cost < best_cost:
            best_cost, best = cost, sol
    return best


def _run_many(data, seconds: float, seeds: list[int], params: SearchSettings, initial, workers: int):
    if workers <= 1 or len(seeds) == 1:
        per_seed = seconds / len(seeds)
        return [_run_one(data, per_seed, seed, params, initial) for seed in seeds]
    rounds = math.ceil(len(seeds) / workers)
    per_seed = seconds / rounds - 0.02
    with ProcessPoolExecutor(max_workers=min(workers, len(seeds)), mp_context=_mp_context()) as pool:
        futures = [pool.submit(_run_one, data, per_seed, seed, params, initial) for seed in seeds]
        return [f.result() for f in futures]


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
