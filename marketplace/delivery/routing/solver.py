"""The PyVRP adapter: checks a problem, builds PyVRP's model, searches on all cores, reads tours back."""
from __future__ import annotations

import math
import multiprocessing
import os
import queue
import time
from dataclasses import dataclass, replace
from functools import reduce

import pyvrp
from pyvrp import (
    CostEvaluator,
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

from . import precheck
from .problem import NOT_ROUTED, Problem, Result, UnservedStop
from .tours import build_result

# Cost unit inside the solver: 1/18000 cent, so that cents per km (per metre: ×18) and cents
# per hour (per second: ×5) both become integers. Divided by their gcd afterwards.
_KM_FACTOR = 18
_HOUR_FACTOR = 5

# Search settings measured on the Solomon set (see README.md, "Tour planning").
HISTORY_LENGTH = 100
MAX_PERTURBATIONS = 25
NUM_NEIGHBOURS = 50
NUM_ITERS_NO_IMPROVEMENT = 3_000
ADOPT_AT_ONCE = False
SOLUTIONS_BETWEEN_UPDATES = 500
INITIAL_PENALTY = 100.0
PENALTY_UPDATES = 120
ITERATIONS_PER_HISTORY = 50
_CALIBRATION_ITERATIONS = 50


@dataclass
class _Prepared:
    problem: Problem
    unserved: list[UnservedStop]
    routable: list  # stops handed to the solver, in client order
    node_index: list[int]  # hubs then routable stops -> index into `matrices`
    matrices: object
    vehicle_groups: list[list]  # one list of vehicles per PyVRP vehicle type


def solve(problem: Problem, seconds: float, seeds: list[int] | None = None, workers: int | None = None,
          settings: SearchSettings | None = None, repeatable: bool = False) -> Result:
    """Plan tours for `problem` within about `seconds` of wall time.

    Runs one cooperating search worker per seed on `workers` processes (default: all cores,
    the calling process being one of them); they share their best solutions and the best is
    kept. Stops that cannot be served are in `Result.unserved` with a reason.

    `repeatable`: one worker with the first seed (default 1) stops after an iteration budget
    derived from `seconds` (`iteration_budget`) instead of by the clock, so that the same
    problem gives the same tours however loaded the machine is.
    """
    if seconds is None or not seconds > 0:
        raise ValueError(f"the time limit must be a positive number of seconds, got {seconds!r}")
    started = time.perf_counter()
    prepared = _prepare(problem)
    if not prepared.routable:
        return build_result(problem, prepared.matrices, prepared.node_index, [], [], prepared.unserved,
                            time.perf_counter() - started)
    data = _problem_data(prepared)
    if repeatable:
        seeds, workers = [(seeds or [1])[0]], 1
    elif seeds is None:
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
    if repeatable:
        best = _work(data, math.inf, seeds[0], settings, None,
                     max_iterations=iteration_budget(seconds, data.num_clients))[1]
    else:
        best = _search(data, max(budget, 0.05), seeds, workers, settings)
    routes = []
    served: set[int] = set()
    if best is not None and best.is_feasible():
        for route in best.routes():
            trips: dict[int, list[int]] = {}
            for activity in route.schedule():
                if activity.is_client():
                    trips.setdefault(activity.trip, []).append(activity.idx)
            if trips:
                clients = [trips[k] for k in sorted(trips)]
                routes.append((route.vehicle_type(), clients, route.start_time() / problem.scale))
                served.update(c for trip in clients for c in trip)
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
    """(vehicle, its trips as lists of stops, start time) per used vehicle."""
    named = []
    used = [0] * len(prepared.vehicle_groups)
    for vehicle_type, trips, start in sorted(routes, key=lambda r: (r[0], r[1])):
        vehicle = prepared.vehicle_groups[vehicle_type][used[vehicle_type]]
        used[vehicle_type] += 1
        named.append((vehicle, [[prepared.routable[c] for c in trip] for trip in trips], start))
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
        # Dimensions [ambient or chilled, chilled, frozen] (Load.space): chilled room takes ambient crates.
        demand = [q * load_scale for q in stop.demand.space()]
        none = [0, 0, 0]
        early, late = stop.time_window if stop.time_window else (0, None)
        model.add_client(
            loc,
            delivery=demand if stop.kind == "drop" else none,
            pickup=demand if stop.kind == "pickup" else none,
            service_duration=math.ceil(stop.service_seconds * scale - 1e-6),
            tw_early=math.ceil(early * scale - 1e-6),
            tw_late=math.floor(late * scale + 1e-6) if late is not None else 2**62,
            release_time=math.ceil(stop.release_time * scale - 1e-6) if stop.release_time else 0,
            required=problem.all_required,
            prize=0 if problem.all_required else prize,
            name=stop.id,
        )
    for group, (unit_dist, unit_dur) in zip(prepared.vehicle_groups, costs, strict=False):
        vehicle = group[0]
        depot = depots[hub_pos[problem.hub_of(vehicle).id]]
        model.add_vehicle_type(
            num_available=len(group),
            capacity=[c * load_scale for c in vehicle.capacity.space()],
            start_depot=depot,
            end_depot=depot,
            tw_early=math.ceil(vehicle.shift_start * scale - 1e-6),
            tw_late=math.floor(vehicle.shift_end * scale + 1e-6),
            unit_distance_cost=unit_dist,
            unit_duration_cost=unit_dur,
            reload_depots=[depot] if problem.max_reloads else [],
            max_reloads=problem.max_reloads if problem.max_reloads else 2**64 - 1,
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
    """Tunable search parameters (README.md, "Tour planning", says how they were measured)."""

    history_length: int = HISTORY_LENGTH
    max_perturbations: int = MAX_PERTURBATIONS
    num_neighbours: int = NUM_NEIGHBOURS
    # Iterations without a new best of one worker before it restarts from the best solution
    # any worker has found so far.
    num_iters_no_improvement: int = NUM_ITERS_NO_IMPROVEMENT
    # Take over a better solution from another worker at once (True) or at the next restart.
    adopt_at_once: bool = ADOPT_AT_ONCE
    penalty_decrease: float = 0.9
    solutions_between_updates: int = SOLUTIONS_BETWEEN_UPDATES
    max_penalty: float = 100_000.0
    # Penalty per unit of excess load / time warp at the start, as a multiple of the largest
    # unit distance or duration cost of any vehicle type (None: PyVRP's midpoint of the range).
    initial_penalty: float | None = INITIAL_PENALTY
    # If set, `solutions_between_updates` is chosen after a short calibration so that the run
    # makes about this many penalty updates, whatever the time limit and instance size.
    penalty_updates: int | None = PENALTY_UPDATES
    # If set, the late-acceptance history is the expected number of iterations of the run
    # divided by this (short runs want a short memory, long runs a long one).
    iterations_per_history: int | None = ITERATIONS_PER_HISTORY

    def solve_params(self) -> SolveParams:
        return SolveParams(
            ils=IteratedLocalSearchParams(history_length=self.history_length),
            penalty=PenaltyParams(penalty_decrease=self.penalty_decrease,
                                  solutions_between_updates=self.solutions_between_updates,
                                  max_penalty=self.max_penalty),
            neighbourhood=NeighbourhoodParams(num_neighbours=self.num_neighbours),
            perturbation=PerturbationParams(max_perturbations=self.max_perturbations),
        )


SETTINGS = SearchSettings()

# Iterations per CPU second of one worker on the reference machine (the development machine),
# for a problem of REFERENCE_CLIENTS stops; with n stops an iteration costs about
# (n / REFERENCE_CLIENTS) ** ITERATION_COST_EXPONENT times as much (measured at 10 to 250
# stops, README.md, "Repeatable plans"). Below 10 stops the search is faster still; the
# budget stays at the 10-stop figure.
REFERENCE_ITERATIONS_PER_SECOND = 540
REFERENCE_CLIENTS = 50
ITERATION_COST_EXPONENT = 0.6
MIN_ITERATIONS = 200


def iteration_budget(seconds: float, clients: int) -> int:
    """How many search iterations stand for `seconds` on the reference machine for `clients` stops."""
    per_second = REFERENCE_ITERATIONS_PER_SECOND * (REFERENCE_CLIENTS / max(clients, 10)) ** ITERATION_COST_EXPONENT
    return max(MIN_ITERATIONS, round(seconds * per_second))

# The clock the workers stop by. Wall time in production; the tuning scripts swap in CPU time
# so that measurements on a busy machine stay comparable.
_clock = time.monotonic


def _search(data: pyvrp.ProblemData, seconds: float, seeds: list[int], workers: int,
            settings: SearchSettings | None = None) -> Solution | None:
    """Cooperative iterated local search: one worker per seed (at most `workers` at a time).

    Each worker runs PyVRP's late-acceptance ILS; a worker that finds a new best hands it to the
    others, and a worker that has not improved for `num_iters_no_improvement` iterations
    restarts from the best any worker has found. All stop at the same wall-clock deadline. The
    calling process is worker 0, so one process fewer is forked.
    """
    settings = settings or SETTINGS
    seeds = seeds[:max(1, workers)]
    deadline = time.monotonic() + seconds
    if len(seeds) == 1:
        return _work(data, deadline, seeds[0], settings, None)[1]
    ctx = _mp_context()
    inboxes = [ctx.Queue() for _ in seeds]
    results = ctx.Queue()
    shared_best = ctx.Value("d", math.inf)
    children = []
    for k in range(1, len(seeds)):
        peers = _Peers(k, inboxes, shared_best, results)
        child = ctx.Process(target=_child, args=(data, deadline, seeds[k], settings, peers), daemon=True)
        child.start()
        children.append(child)
    try:
        found = [_work(data, deadline, seeds[0], settings, _Peers(0, inboxes, shared_best, results))]
        for _ in children:
            wait = max(1.0, deadline - time.monotonic() + 1.0) if _clock is time.monotonic else 600.0
            try:
                found.append(results.get(timeout=wait))
            except queue.Empty:
                break
    finally:
        for child in children:
            child.join(timeout=0.5)
            if child.is_alive():
                child.terminate()
        for q in inboxes + [results]:
            q.cancel_join_thread()
    found = [r for r in found if r[1] is not None]
    return min(found, key=lambda r: r[0])[1] if found else None


@dataclass
class _Peers:
    """How worker `me` reaches the others: their inboxes and the best cost found by anyone."""

    me: int
    inboxes: list
    shared_best: object
    results: object

    def offer(self, cost: float, solution: Solution) -> None:
        with self.shared_best.get_lock():
            if cost >= self.shared_best.value:
                return
            self.shared_best.value = cost
        for k, inbox in enumerate(self.inboxes):
            if k != self.me:
                inbox.put((cost, solution))

    def better_than(self, cost: float) -> tuple[float, Solution] | None:
        if not self.shared_best.value < cost:
            return None
        found = None
        inbox = self.inboxes[self.me]
        while True:
            try:
                item = inbox.get_nowait()
            except queue.Empty:
                break
            if item[0] < cost and (found is None or item[0] < found[0]):
                found = item
        return found


def _child(data, deadline: float, seed: int, settings: SearchSettings, peers: _Peers) -> None:
    try:
        cost, best = _work(data, deadline, seed, settings, peers)
    except BaseException:  # noqa: BLE001 - the parent must not wait for a worker that died
        cost, best = math.inf, None
    peers.results.put((cost, best))


def _work(data: pyvrp.ProblemData, deadline: float, seed: int, settings: SearchSettings,
          peers: _Peers | None, max_iterations: int | None = None) -> tuple[float, Solution | None]:
    """One worker: PyVRP's late-acceptance ILS, with restarts from the shared best.

    After a few iterations it estimates how many it will make before the deadline and sizes
    the penalty updates and the late-acceptance history to that (see SearchSettings): PyVRP's
    fixed 500 solutions between penalty updates leave the penalties far above the distances for
    a whole short run, so the search never crosses infeasible space and stalls.

    With `max_iterations` it stops after that many iterations, not at the deadline, and sizes
    from the budget instead of a measured speed: nothing depends on the clock.
    """
    end = _clock() + (deadline - time.monotonic()) if max_iterations is None else math.inf
    params = settings.solve_params()
    rng = RandomNumberGenerator(seed=seed)
    ls = LocalSearch(data, rng, compute_neighbours(data, params.neighbourhood),
                     PerturbationManager(params.perturbation))
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    penalties = params.penalty.midpoint_penalties(data)
    if settings.initial_penalty is not None:
        unit = max((max(vt.unit_distance_cost, vt.unit_duration_cost) for vt in data.vehicle_types()), default=1)
        p = min(settings.initial_penalty * max(unit, 1), settings.max_penalty)
        penalties = ([p] * data.num_load_dimensions, p, p)
    pm = PenaltyManager(penalties, params.penalty)
    objective = CostEvaluator([0.0] * data.num_load_dimensions, 0.0, 0.0)  # inf when infeasible

    init = curr = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), exhaustive=True)
    best, best_cost = curr, objective.cost(curr)
    if peers is not None and best_cost < math.inf:
        peers.offer(best_cost, best)
    history: list[Solution | None] = [None] * settings.history_length
    position = 0
    stale = 0
    iterations = 0
    started = _clock()
    while (_clock() < end) if max_iterations is None else (iterations < max_iterations):
        iterations += 1
        if iterations == _CALIBRATION_ITERATIONS:
            if max_iterations is None:
                now = _clock()
                expected = iterations / max(now - started, 1e-6) * max(end - now, 0.0)
            else:
                expected = max_iterations - iterations
            if settings.penalty_updates:
                between = min(max(round(expected / settings.penalty_updates), 5), 2000)
                pm = PenaltyManager(pm.penalties(), replace(params.penalty, solutions_between_updates=between))
            if settings.iterations_per_history:
                length = min(max(round(expected / settings.iterations_per_history), 20), 2000)
                history, position = [None] * length, 0
        if peers is not None:
            received = peers.better_than(best_cost)
            if received is not None:
                best_cost, best = received
                if settings.adopt_at_once:
                    curr, stale = best, 0
                    history = [None] * len(history)
        if stale >= settings.num_iters_no_improvement:
            curr, stale = best, 0
            history = [None] * len(history)
        evaluator = pm.cost_evaluator()
        cand = ls(curr, evaluator, exhaustive=False)
        pm.register(cand)
        stale += 1
        cand_cost = objective.cost(cand)
        if cand_cost < best_cost:
            better = ls(cand, evaluator, exhaustive=True)
            if objective.cost(better) < cand_cost:
                cand, cand_cost = better, objective.cost(better)
            best, best_cost, stale = cand, cand_cost, 0
            if peers is not None:
                peers.offer(best_cost, best)
        # Late-acceptance hill climbing (Burke and Bykov 2017) as in PyVRP's ILS: accept what
        # beats the solution of `history_length` iterations ago or the current one.
        cand_pen = evaluator.penalised_cost(cand)
        curr_pen = evaluator.penalised_cost(curr)
        late = history[position]
        late_pen = evaluator.penalised_cost(late if late is not None else init)
        if cand_pen < late_pen or cand_pen < curr_pen:
            curr, curr_pen = cand, cand_pen
        if curr_pen < late_pen or late is None:
            history[position] = curr
        position = (position + 1) % len(history)
    return best_cost, best


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")
