"""Routing benchmark: Solomon VRPTW gaps (Landkorb/PyVRP vs OR-Tools vs VROOM) and a 1,000-stop day.

Run from the repository root:  python tests/benchmarks/bench_routing.py [--seconds 2 10]
(all 56 Solomon instances at 2 s and 10 s with OR-Tools and VROOM, then the 1,000-stop day and
its five-minute reference: about 45 minutes on two cores).
Not collected by pytest (the file name does not start with test_).
"""
from __future__ import annotations

import argparse
import csv
import math
import os
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from marketplace.delivery.routing import (  # noqa: E402 - after the sys.path line
    Consignment,
    DayOrder,
    Hub,
    HubDay,
    Load,
    Problem,
    Stop,
    Vehicle,
    check_result,
    check_tours,
    geodesic_matrices,
    plan_hub_day,
    plan_tours,
    read_instance,
    solve,
)

ENGINE_SCALE = 1000  # OR-Tools and VROOM work in integers too: distances × 1000, durations rounded up


def load_bks(path: Path) -> dict[str, float]:
    bks = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "vrptw_distance" and "SUSPECT" not in row["notes"]:
                bks[row["instance"]] = float(row["bks_cost"])
    return bks


def _int_data(problem: Problem):
    s = ENGINE_SCALE
    d = problem.matrices.distance
    n = len(d)
    dist = [[round(d[i][j] * s) for j in range(n)] for i in range(n)]
    dur = [[math.ceil(d[i][j] * s - 1e-6) for j in range(n)] for i in range(n)]
    return dist, dur


def ortools_solve(problem: Problem, seconds: float, strategy: str) -> list[list[str]] | None:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    s = ENGINE_SCALE
    dist, dur = _int_data(problem)
    stops = list(problem.stops)
    n = len(stops) + 1
    vehicle = problem.vehicles[0]
    manager = pywrapcp.RoutingIndexManager(n, len(problem.vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)
    service = [0] + [math.ceil(st.service_seconds * s) for st in stops]
    demand = [0] + [st.demand.ambient for st in stops]

    def distance(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def travel(i, j):
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return service[a] + dur[a][b]

    cost_cb = routing.RegisterTransitCallback(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    horizon = math.floor(vehicle.shift_end * s)
    routing.AddDimension(routing.RegisterTransitCallback(travel), horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for k, st in enumerate(stops, start=1):
        early, late = st.time_window
        time_dim.CumulVar(manager.NodeToIndex(k)).SetRange(math.ceil(early * s), math.floor(late * s))
    for v in range(len(problem.vehicles)):
        time_dim.CumulVar(routing.Start(v)).SetRange(math.ceil(vehicle.shift_start * s), horizon)
        time_dim.CumulVar(routing.End(v)).SetRange(math.ceil(vehicle.shift_start * s), horizon)
    demand_cb = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    routing.AddDimensionWithVehicleCapacity(demand_cb, 0, [v.capacity.ambient for v in problem.vehicles],
                                            True, "Capacity")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return None
    routes = []
    for v in range(len(problem.vehicles)):
        index, route = routing.Start(v), []
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            if node:
                route.append(stops[node - 1].id)
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes


def ortools_best(problem: Problem, seconds: float) -> list[list[str]] | None:
    """Two first-solution strategies in parallel (one per core), each with the full time limit."""
    strategies = ["PATH_CHEAPEST_ARC", "PARALLEL_CHEAPEST_INSERTION"]
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(ortools_solve, [problem] * 2, [seconds] * 2, strategies))
    found = [r for r in results if r is not None]
    if not found:
        return None
    return min(found, key=lambda r: check_tours(problem, [(None, x) for x in r]).cost)


def vroom_solve(problem: Problem, seconds: float) -> list[list[str]] | None:
    import datetime

    import vroom

    s = ENGINE_SCALE
    dist, dur = _int_data(problem)
    stops = list(problem.stops)
    vehicle = problem.vehicles[0]
    inp = vroom.Input()
    inp.set_durations_matrix("car", dur)
    inp.set_costs_matrix("car", dist)
    horizon = (math.ceil(vehicle.shift_start * s), math.floor(vehicle.shift_end * s))
    for k, v in enumerate(problem.vehicles):
        inp.add_vehicle(vroom.Vehicle(k + 1, start=0, end=0, capacity=[v.capacity.ambient],
                                      time_window=vroom.TimeWindow(*horizon)))
    for k, st in enumerate(stops, start=1):
        early, late = st.time_window
        inp.add_job(vroom.Job(k, location=k, default_service=math.ceil(st.service_seconds * s),
                              delivery=[st.demand.ambient],
                              time_windows=[vroom.TimeWindow(math.ceil(early * s), math.floor(late * s))]))
    sol = inp.solve(exploration_level=5, nb_threads=2, timeout=datetime.timedelta(seconds=seconds))
    frame = sol.routes
    routes: dict[int, list[str]] = {}
    for _, row in frame.iterrows():
        if row["type"] == "job":
            routes.setdefault(int(row["vehicle_id"]), []).append(stops[int(row["id"]) - 1].id)
    served = sum(len(r) for r in routes.values())
    return list(routes.values()) if served == len(stops) else None


def gap(cost: float | None, bks: float) -> float | None:
    return None if cost is None else (cost / bks - 1) * 100


def fmt(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:6.3f}"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_solomon(args, bks) -> None:
    folder = Path(args.benchmarks) / "solomon"
    names = args.instances or sorted(p.stem for p in folder.glob("*.txt"))
    engines = ["landkorb"] + ([] if args.skip_ortools else ["ortools"]) + ([] if args.skip_vroom else ["vroom"])
    for seconds in args.seconds:
        subset = set(args.compare_instances or []) if seconds in args.subset_seconds else None
        print(f"\n## Solomon, {seconds:g} s per instance (gap % to vrptw_distance BKS)\n")
        print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}")
        if subset is not None:
            print(f"OR-Tools and VROOM at {seconds:g} s only on: {' '.join(sorted(subset))}")
        print()
        print("| instance | BKS | " + " | ".join(engines) + " |")
        print("|---|---:|" + "---:|" * len(engines))
        gaps = {e: [] for e in engines}
        infeasible = {e: 0 for e in engines}
        missing = {e: 0 for e in engines}
        walls = {e: [] for e in engines}
        pairs = {e: [0, 0] for e in engines[1:]}  # instances compared, landkorb worse
        for name in names:
            problem = read_instance(folder / f"{name}.txt")
            costs = {}
            clock = time.perf_counter()
            result = solve(problem, seconds)
            walls["landkorb"].append(time.perf_counter() - clock)
            report = check_result(problem, result)
            if result.unserved or not report.is_feasible:
                infeasible["landkorb"] += 1
                costs["landkorb"] = None
            else:
                costs["landkorb"] = report.cost
            for engine in engines[1:]:
                if subset is not None and name not in subset:
                    costs[engine] = "skipped"
                    continue
                clock = time.perf_counter()
                routes = ortools_best(problem, seconds) if engine == "ortools" else vroom_solve(problem, seconds)
                walls[engine].append(time.perf_counter() - clock)
                if routes is None:
                    missing[engine] += 1
                    costs[engine] = None
                    continue
                rep = check_tours(problem, [(None, r) for r in routes])
                if not rep.is_feasible:
                    infeasible[engine] += 1
                    costs[engine] = None
                else:
                    costs[engine] = rep.cost
            row = []
            for engine in engines[1:]:
                if costs[engine] != "skipped":
                    pairs[engine][0] += 1
                    if costs["landkorb"] is None or (
                            costs[engine] is not None and costs["landkorb"] > costs[engine] * (1 + 1e-9)):
                        pairs[engine][1] += 1
            for engine in engines:
                if costs[engine] == "skipped":
                    row.append("     -")
                elif name in bks:
                    g = gap(costs[engine], bks[name])
                    if g is not None:
                        gaps[engine].append(g)
                    row.append(fmt(g))
                else:
                    row.append(f"{costs[engine]:.2f}*" if costs[engine] is not None else "n/a")
            print(f"| {name} | {bks.get(name, float('nan')):.2f} | " + " | ".join(row) + " |", flush=True)
        print()
        for engine in engines:
            values = gaps[engine]
            if values:
                print(f"{engine:9s} {seconds:g} s: mean gap {statistics.mean(values):.3f} %, "
                      f"max {max(values):.3f} %, instances {len(values)}, infeasible {infeasible[engine]}, "
                      f"no solution {missing[engine]}, wall per instance mean {statistics.mean(walls[engine]):.2f} s "
                      f"max {max(walls[engine]):.2f} s")
            else:
                print(f"{engine:9s} {seconds:g} s: no solutions")
        for engine, (compared, worse) in pairs.items():
            print(f"landkorb worse than {engine} on {worse} of {compared} instances (same run, same limit)")
        print("(* = SUSPECT BKS row excluded; cost shown instead of a gap; - = not run)")
        print(f"finished {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}", flush=True)


def synthetic_day(places_csv: Path, stops_total: int = 1000, seed: int = 7) -> dict[str, Problem]:
    """A delivery day over the demo region: stops jittered around places, one hub per sub-region."""
    rng = random.Random(seed)
    by_region: dict[str, list[tuple[str, float, float, str]]] = {}
    with open(places_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_region.setdefault(row["sub_region"], []).append(
                (row["place"], float(row["lat"]), float(row["lon"]), row["kind"]))
    total_places = sum(len(v) for v in by_region.values())
    problems = {}
    for region, places in sorted(by_region.items()):
        hub_place = next((p for p in places if p[3] == "town"), places[0])
        hub = Hub(id=f"hub-{region}", lat=hub_place[1], lon=hub_place[2])
        count = round(stops_total * len(places) / total_places)
        stops = []
        for k in range(count):
            _place, lat, lon, _kind = rng.choice(places)
            load = Load(ambient=rng.randint(0, 3), chilled=rng.choice([0, 0, 1, 2]), frozen=rng.choice([0, 0, 0, 1]))
            if load.total == 0:
                load = Load(ambient=1)
            window = None
            if rng.random() < 0.2:
                begin = rng.choice([8, 10, 12, 14]) * 3600
                window = (begin, begin + 2 * 3600)
            stops.append(Stop(id=f"{region}-{k}", demand=load, lat=lat + rng.gauss(0, 0.01),
                              lon=lon + rng.gauss(0, 0.015), fixed_service_seconds=120, per_crate_seconds=15,
                              time_window=window))
        n_vehicles = max(2, math.ceil(count / 30))
        vehicles = [Vehicle(id=f"{region}-van-{v}", capacity=Load(ambient=60, chilled=30, frozen=10),
                            shift_start=7 * 3600, shift_end=17 * 3600, cost_per_km_cents=35,
                            cost_per_hour_cents=2500) for v in range(n_vehicles)]
        problems[region] = Problem(hubs=(hub,), stops=tuple(stops), vehicles=tuple(vehicles), name=region)
    return problems


def peak_memory_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def run_day(args) -> None:
    problems = synthetic_day(Path(args.places), args.stops)
    stops = sum(len(p.stops) for p in problems.values())
    vehicles = sum(len(p.vehicles) for p in problems.values())
    print(f"\n## Synthetic delivery day: {stops} stops, {len(problems)} sub-regions, {vehicles} vehicles\n")
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}")
    started = time.perf_counter()
    results = plan_tours(problems, args.day_seconds)
    wall = time.perf_counter() - started
    cost = sum(r.cost_cents for r in results.values())
    infeasible = sum(not check_result(problems[k], r).is_feasible for k, r in results.items())
    unserved = sum(len(r.unserved) for r in results.values())
    km = sum(r.km for r in results.values())
    hours = sum(r.hours for r in results.values())
    print(f"wall time {wall:.1f} s ({args.day_seconds:g} s solver limit per sub-region), "
          f"peak memory (self + children, max RSS) {peak_memory_mb():.0f} MB")
    print(f"cost {cost / 100:.2f} EUR, {km:.1f} km, {hours:.1f} h, routes "
          f"{sum(len(r.routes) for r in results.values())}, unserved {unserved}, infeasible sub-regions {infeasible}")
    if args.reference_seconds:
        ref = plan_tours(problems, args.reference_seconds)
        ref_cost = sum(r.cost_cents for r in ref.values())
        print(f"reference ({args.reference_seconds:g} s per sub-region): cost {ref_cost / 100:.2f} EUR, "
              f"unserved {sum(len(r.unserved) for r in ref.values())}; "
              f"gap of the {args.day_seconds:g} s plan: {(cost / ref_cost - 1) * 100:.3f} %")
    print(f"finished {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}", flush=True)


def synthetic_hub_days(places_csv: Path, orders_total: int = 1000, seed: int = 11,
                       producers_total: int = 40, dropoff_km: float = 8.0) -> dict[str, HubDay]:
    """A delivery day of `orders_total` orders over the demo region's four sub-regions, goods first.

    40 producers on the region's places, each order with goods of one to three of them (crates
    per class per producer); half the orders go to the door (a fifth of them with a window),
    half to the sub-region's six pickup places (two of them sales points open 08-12 or 14-18).
    Per sub-region, the producers within `dropoff_km` of its hub drop their goods off there by
    06:45; the others are collected by its vans, one van per 30 orders (60/30/10 crates,
    07:00-17:00), which may come back to the hub and go out again (up to four trips of each kind).
    """
    rng = random.Random(seed)
    by_region: dict[str, list[tuple[str, float, float, str]]] = {}
    with open(places_csv, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_region.setdefault(row["sub_region"], []).append(
                (row["place"], float(row["lat"]), float(row["lon"]), row["kind"]))
    everywhere = [p for places in by_region.values() for p in places]
    producers = [Stop(id=f"prod{k}", lat=p[1] + rng.gauss(0, 0.01), lon=p[2] + rng.gauss(0, 0.015),
                      fixed_service_seconds=300, per_crate_seconds=15)
                 for k, p in enumerate(rng.choice(everywhere) for _ in range(producers_total))]
    total_places = len(everywhere)
    days = {}
    for region, places in sorted(by_region.items()):
        hub_place = next((p for p in places if p[3] == "town"), places[0])
        hub = Hub(id=f"hub-{region}", lat=hub_place[1], lon=hub_place[2])
        count = round(orders_total * len(places) / total_places)
        pickup_places = []
        for k in range(6):
            _name, lat, lon, _kind = rng.choice(places)
            window = ((8 * 3600, 12 * 3600), (14 * 3600, 18 * 3600))[k % 2] if k < 2 else None
            pickup_places.append(Stop(id=f"{region}-pp{k}", lat=lat + rng.gauss(0, 0.004), lon=lon + rng.gauss(0, 0.006),
                                      fixed_service_seconds=240, per_crate_seconds=15, time_window=window))
        drops = list(pickup_places)
        orders, consignments = [], []
        for k in range(count):
            order_id = f"{region}-o{k}"
            if rng.random() < 0.5:
                _name, lat, lon, _kind = rng.choice(places)
                window = None
                if rng.random() < 0.2:
                    begin = rng.choice([9, 12]) * 3600
                    window = (begin, begin + 3 * 3600)
                door = Stop(id=f"{region}-door{k}", lat=lat + rng.gauss(0, 0.01), lon=lon + rng.gauss(0, 0.015),
                            fixed_service_seconds=120, per_crate_seconds=15, time_window=window)
                drops.append(door)
                stop_id = door.id
            else:
                stop_id = rng.choice(pickup_places).id
            load = Load()
            for producer in rng.sample(producers, rng.choice([1, 1, 2, 2, 3])):
                part = Load(ambient=rng.randint(0, 2), chilled=rng.choice([0, 0, 1]), frozen=rng.choice([0] * 9 + [1]))
                if part.total == 0:
                    part = Load(ambient=1)
                consignments.append(Consignment(order_id, producer.id, part))
                load = load + part
            orders.append(DayOrder(order_id, stop_id, load))
        hub_at = (hub.lat, hub.lon)
        near = geodesic_matrices([hub_at] + [(p.lat, p.lon) for p in producers]).distance[0]
        dropping = {p.id for p, metres in zip(producers, near[1:], strict=True) if metres <= dropoff_km * 1000}
        at_hub = {(c.order_id, c.producer_id): 6.75 * 3600 for c in consignments if c.producer_id in dropping}
        vehicles = tuple(Vehicle(id=f"{region}-van-{v}", capacity=Load(ambient=60, chilled=30, frozen=10),
                                 shift_start=7 * 3600, shift_end=17 * 3600, cost_per_km_cents=35,
                                 cost_per_hour_cents=2500) for v in range(max(2, math.ceil(count / 30))))
        days[region] = HubDay(hub=hub, vehicles=vehicles, drops=tuple(drops), producers=tuple(producers),
                              orders=tuple(orders), consignments=tuple(consignments), at_hub=at_hub, name=region)
    return days


def _plan_hub_days(days: dict[str, HubDay], seconds: float, collection_seconds: float) -> dict:
    return {k: plan_hub_day(day, seconds, collection_seconds=collection_seconds) for k, day in days.items()}


def check_hub_day(day: HubDay, result) -> list[str]:
    """The trips' own checks, plus the day's rules: one trip at a time, goods at the hub first."""
    found = []
    for problem, solved in ((result.collection_problem, result.collection),
                            (result.distribution_problem, result.distribution)):
        if problem is not None and solved is not None:
            found += check_result(problem, solved).violations
    trips: dict[str, list] = {}
    for route in result.collection.routes if result.collection else ():
        trips.setdefault(route.vehicle_id, []).append(route)
    for route in result.distribution.routes:
        trips.setdefault(route.vehicle_id, []).append(route)
        for stop_id in route.stop_ids:
            for order_id in result.orders_at[stop_id]:
                if route.start_time + 1e-6 < result.ready.get(order_id, 0.0):
                    found.append(f"order {order_id} leaves before its goods are at the hub")
    for vehicle_trips in trips.values():
        vehicle_trips.sort(key=lambda r: r.start_time)
        for a, b in zip(vehicle_trips, vehicle_trips[1:], strict=False):
            if b.start_time + 1e-6 < a.end_time:
                found.append(f"vehicle {a.vehicle_id} has two trips at once")
    served = {o for stop_id in (s for r in result.distribution.routes for s in r.stop_ids)
              for o in result.orders_at[stop_id]}
    reported = {o for b in result.blocked for o in b.order_ids} | {
        o for u in result.distribution.unserved for o in result.orders_at.get(u.stop_id, ())}
    lost = {o.id for o in day.orders} - served - reported
    if lost:
        found.append(f"{len(lost)} orders neither served nor reported unserved")
    return found


def run_hub_day(args) -> None:
    days = synthetic_hub_days(Path(args.places), args.orders)
    orders = sum(len(d.orders) for d in days.values())
    dropoffs = len({p for d in days.values() for _, p in d.at_hub})
    print(f"\n## Synthetic delivery day with goods to the hub first: {orders} orders, {len(days)} sub-regions, "
          f"{sum(len(d.vehicles) for d in days.values())} vehicles, {len(days[next(iter(days))].producers)} producers "
          f"({dropoffs} drop off at some hub)\n")
    print(f"started {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}")
    started = time.perf_counter()
    results = _plan_hub_days(days, args.hub_day_seconds, args.hub_collection_seconds)
    wall = time.perf_counter() - started
    cost = sum(r.cost_cents for r in results.values())
    problems = {k: check_hub_day(days[k], r) for k, r in results.items()}
    coll = sum(len(r.collection.routes) for r in results.values() if r.collection)
    dist = sum(len(r.distribution.routes) for r in results.values())
    unserved = sum(len(b.order_ids) for r in results.values() for b in r.blocked) + sum(
        len(r.orders_at.get(u.stop_id, ())) for r in results.values() for u in r.distribution.unserved)
    print(f"wall time {wall:.1f} s ({args.hub_collection_seconds:g} s collection + {args.hub_day_seconds:g} s "
          f"distribution per sub-region), peak memory (self + children, max RSS) {peak_memory_mb():.0f} MB")
    print(f"cost {cost / 100:.2f} EUR, {sum(r.km for r in results.values()):.1f} km, "
          f"{sum(r.hours for r in results.values()):.1f} h, collection trips {coll}, distribution trips {dist}, "
          f"orders unserved {unserved}, rule violations {sum(len(v) for v in problems.values())}")
    reasons: dict[str, int] = {}
    for r in results.values():
        for b in r.blocked:
            reasons[b.reason] = reasons.get(b.reason, 0) + len(b.order_ids)
        for u in r.distribution.unserved:
            reasons[u.reason] = reasons.get(u.reason, 0) + len(r.orders_at.get(u.stop_id, ()))
    if reasons:
        print("unserved orders by reason: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    for key, found in problems.items():
        for problem in found[:3]:
            print(f"  {key}: {problem}")
    if args.hub_reference_seconds:
        share = args.hub_collection_seconds / (args.hub_collection_seconds + args.hub_day_seconds)
        ref = _plan_hub_days(days, args.hub_reference_seconds * (1 - share), args.hub_reference_seconds * share)
        ref_cost = sum(r.cost_cents for r in ref.values())
        ref_unserved = sum(len(b.order_ids) for r in ref.values() for b in r.blocked) + sum(
            len(r.orders_at.get(u.stop_id, ())) for r in ref.values() for u in r.distribution.unserved)
        print(f"reference ({args.hub_reference_seconds:g} s per sub-region, same split): cost {ref_cost / 100:.2f} EUR, "
              f"orders unserved {ref_unserved}, rule violations {sum(len(check_hub_day(days[k], r)) for k, r in ref.items())}; "
              f"gap of the {args.hub_collection_seconds + args.hub_day_seconds:g} s plan: {(cost / ref_cost - 1) * 100:.3f} %")
    print(f"finished {time.strftime('%H:%M:%S', time.gmtime())} UTC, {load()}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--benchmarks", default=str(ROOT.parent / "shared" / "benchmarks" / "vrp"))
    parser.add_argument("--seconds", type=float, nargs="+", default=[2, 10])
    parser.add_argument("--instances", nargs="*")
    parser.add_argument("--compare-instances", nargs="*",
                        help="run OR-Tools and VROOM only on these instances at the --subset-seconds limits")
    parser.add_argument("--subset-seconds", type=float, nargs="*", default=[])
    parser.add_argument("--skip-ortools", action="store_true")
    parser.add_argument("--skip-vroom", action="store_true")
    parser.add_argument("--skip-solomon", action="store_true")
    parser.add_argument("--skip-day", action="store_true")
    parser.add_argument("--places", default=str(ROOT / "marketplace" / "regions" / "data" / "mayen-koblenz.csv"))
    parser.add_argument("--stops", type=int, default=1000)
    parser.add_argument("--day-seconds", type=float, default=12.0, help="solver limit per sub-region")
    parser.add_argument("--reference-seconds", type=float, default=75,
                        help="also plan the day with this limit per sub-region as the reference "
                             "(default 75: five minutes over the four sub-regions; 0 to skip)")
    parser.add_argument("--skip-hub-day", action="store_true")
    parser.add_argument("--orders", type=int, default=1000, help="orders of the day with goods to the hub first")
    parser.add_argument("--hub-day-seconds", type=float, default=10.0, help="distribution limit per sub-region")
    parser.add_argument("--hub-collection-seconds", type=float, default=2.0, help="collection limit per sub-region")
    parser.add_argument("--hub-reference-seconds", type=float, default=75,
                        help="the same day with this limit per sub-region as the reference (default 75: five "
                             "minutes over the four sub-regions, split like the plan; 0 to skip)")
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}")
    if not args.skip_solomon:
        run_solomon(args, load_bks(Path(args.benchmarks) / "bks.csv"))
    if not args.skip_day:
        run_day(args)
    if not args.skip_hub_day:
        run_hub_day(args)


if __name__ == "__main__":
    main()
