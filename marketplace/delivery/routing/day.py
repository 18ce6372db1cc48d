"""A hub's delivery day: goods reach the hub first (drop-off or a collection trip), then go out.

The day is planned in two steps of one model (README.md, "Goods reach the hub first"):

1. **Collection.** Every producer whose goods for the day's orders are not at the hub already
   (dropped off by the drop-off time, or fetched by a published trip) becomes a pickup stop
   (split by whole orders where they fit no van; the goods of orders with a window in a stop
   of their own, with a window that gets them to the hub in time); the vehicles collect them,
   in several trips where needed. A consignment (one producer's goods for one order) is at
   the hub when its collection trip is back.
2. **Distribution.** Each drop stop is released when the goods of every producer of each of its
   orders are at the hub (PyVRP's client release time: a trip that visits it leaves the hub only
   then), and a vehicle that collected starts its distribution when its collection trip is back,
   so one vehicle's trips follow each other in time.

Orders whose goods cannot reach the hub (their producer's collection stop is unserved) are
reported with `GOODS_NOT_COLLECTED`, never dropped.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from . import precheck
from .distances import build_matrices
from .plan import with_matrices
from .problem import GOODS_NOT_COLLECTED, Hub, Load, Matrices, Problem, Result, Stop, Vehicle
from .solver import solve


@dataclass(frozen=True)
class DayOrder:
    """An order going to drop stop `stop_id`: its whole crates per class (rounded per order and class)."""

    id: str
    stop_id: str
    load: Load


@dataclass(frozen=True)
class Consignment:
    """The goods of one producer (a producer stop id) for one order, in whole crates per class."""

    order_id: str
    producer_id: str
    load: Load


@dataclass(frozen=True)
class HubDay:
    """One sub-region's day at its hub.

    `drops`: the stations, sales points and doors (their demand is ignored: it is the sum of
    their orders' loads). `producers`: where goods can be collected (their demand is ignored:
    it is the sum of the consignments to collect there). `at_hub`: (order id, producer stop id)
    → the time those goods are at the hub without a new collection (drop-off time, a published
    collection trip's return).
    """

    hub: Hub
    vehicles: tuple[Vehicle, ...]
    drops: tuple[Stop, ...]
    producers: tuple[Stop, ...]
    orders: tuple[DayOrder, ...]
    consignments: tuple[Consignment, ...]
    at_hub: Mapping[tuple[str, str], float] = field(default_factory=dict)
    name: str = ""
    # Trips a vehicle may make per kind, less one: it comes back to unload or reload and goes again.
    max_reloads: int = 3
    # None: from the coordinates, once for the whole day (`located`); given: the places' matrix_index.
    matrices: Matrices | None = None


@dataclass(frozen=True)
class UnservedOrders:
    """Orders of a drop stop that no trip takes, and why."""

    stop_id: str
    order_ids: tuple[str, ...]
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class HubDayResult:
    collection: Result | None
    distribution: Result
    collection_problem: Problem | None
    distribution_problem: Problem
    ready: dict[str, float]  # order id → when all its goods are at the hub
    # collection stop id (see `producer_of`) → orders whose goods must be fetched there
    to_collect: dict[str, tuple[str, ...]]
    collected: dict[str, tuple[str, ...]]  # the same for the collection stops a trip visits
    orders_at: dict[str, tuple[str, ...]]  # drop stop id → its orders handed to the distribution
    blocked: tuple[UnservedOrders, ...]  # orders left out because their goods cannot reach the hub

    @property
    def results(self) -> list[Result]:
        return [r for r in (self.collection, self.distribution) if r is not None]

    @property
    def cost_cents(self) -> int:
        return sum(r.cost_cents for r in self.results)

    @property
    def km(self) -> float:
        return sum(r.km for r in self.results)

    @property
    def hours(self) -> float:
        return sum(r.hours for r in self.results)


def _split(place: Stop, items: list[tuple[str, Load]], biggest: Load | None, kind: str,
           release: Mapping[str, float], first: int = 1) -> list[tuple[Stop, tuple[str, ...]]]:
    """One stop at `place` per group of whole orders that fits the biggest vehicle (`prod3`,
    `prod3#2`, …; `source_id` gives the place's own id back). Each is released when the
    goods of all its orders are at the hub."""
    chunks: list[tuple[Load, list[str]]] = []
    for order_id, load in items:
        if chunks and biggest is not None and (chunks[-1][0] + load).fits_in(biggest):
            chunks[-1] = (chunks[-1][0] + load, chunks[-1][1] + [order_id])
        else:
            chunks.append((load, [order_id]))
    return [(replace(place, id=place.id if k == 1 else f"{place.id}#{k}", kind=kind, demand=load,
                     release_time=max((release.get(o, 0.0) for o in ids), default=0.0)), tuple(ids))
            for k, (load, ids) in enumerate(chunks, start=first)]


def source_id(stop_id: str) -> str:
    """The producer or drop stop behind a split stop's id (`prod3#2` → `prod3`)."""
    return stop_id.split("#", 1)[0]


def _biggest(vehicles) -> Load | None:
    return max((v.capacity for v in vehicles), key=lambda c: c.space(), default=None)


def _drop_stops(day: HubDay, orders: list[DayOrder], ready: Mapping[str, float],
                ) -> tuple[tuple[Stop, ...], dict[str, tuple[str, ...]]]:
    by_stop: dict[str, list[DayOrder]] = {}
    for order in orders:
        by_stop.setdefault(order.stop_id, []).append(order)
    biggest = _biggest(day.vehicles)
    stops, orders_at = [], {}
    for place in day.drops:
        waiting = sorted(by_stop.get(place.id, ()), key=lambda o: ready.get(o.id, 0.0))
        for stop, ids in _split(place, [(o.id, o.load) for o in waiting], biggest, "drop", ready):
            stops.append(stop)
            orders_at[stop.id] = ids
    return tuple(stops), orders_at


def hopeless_orders(day: HubDay, osrm_url: str | None = None, cache_day: object = None) -> set[str]:
    """Orders at drop stops that no vehicle could serve even with every good at the hub at once.

    Their goods are not collected; the distribution reports the stops with the reason.
    """
    stops, orders_at = _drop_stops(day, list(day.orders), {})
    problem = with_matrices(Problem(hubs=(day.hub,), stops=stops, vehicles=day.vehicles,
                                    max_reloads=day.max_reloads, matrices=day.matrices), osrm_url, cache_day)
    refused = {u.stop_id for u in precheck.check(problem)[3]}
    return {o for stop_id in refused for o in orders_at[stop_id]}


def _duration(day: HubDay, a, b) -> float:
    if day.matrices is None or a.matrix_index is None or b.matrix_index is None:
        return 0.0
    return day.matrices.duration[a.matrix_index][b.matrix_index]


def _due(day: HubDay) -> dict[str, float]:
    """Order id → the latest its goods may leave the hub to reach its stop inside the stop's window."""
    if day.matrices is None:
        return {}
    drops = {s.id: s for s in day.drops}
    due = {}
    for order in day.orders:
        stop = drops.get(order.stop_id)
        if stop is not None and stop.time_window is not None and stop.matrix_index is not None:
            due[order.id] = stop.time_window[1] - _duration(day, day.hub, stop)
    return due


def collection_problem(day: HubDay, skip: set[str] = frozenset()) -> tuple[Problem, dict[str, tuple[str, ...]]]:
    """The pickup stops for the goods not at the hub yet (of orders not in `skip`), and the orders behind each.

    A producer whose goods fit no single vehicle becomes several pickup stops at its place.
    """
    wanted: dict[str, list[tuple[str, Load]]] = {}
    for item in day.consignments:
        if (item.order_id, item.producer_id) in day.at_hub or item.order_id in skip:
            continue
        wanted.setdefault(item.producer_id, []).append((item.order_id, item.load))
    unknown = set(wanted) - {p.id for p in day.producers}
    if unknown:
        raise ValueError(f"consignments name unknown producer stops {sorted(unknown)[:5]}")
    biggest = _biggest(day.vehicles)
    due = _due(day)
    earliest = min((v.shift_start for v in day.vehicles), default=0.0)
    stops, orders = [], {}
    for producer in day.producers:
        items = wanted.get(producer.id, [])
        urgent = sorted((i for i in items if i[0] in due), key=lambda i: due[i[0]])
        split = _split(producer, [i for i in items if i[0] not in due], biggest, "pickup", {})
        for stop, ids in _split(producer, urgent, biggest, "pickup", {}, first=len(split) + 1):
            # Goods for an order with a window must be fetched in time for it: the pickup's window
            # ends when a return to the hub would still let the order leave by its `due`, with
            # room for one more detour as long as the way back (the trip may fetch more after it).
            back = _duration(day, producer, day.hub)
            latest = min(due[o] for o in ids) - stop.service_seconds - back
            if latest - back >= earliest + _duration(day, day.hub, producer):
                stop = replace(stop, time_window=(0.0, latest - back))
            elif latest >= earliest + _duration(day, day.hub, producer):
                stop = replace(stop, time_window=(0.0, latest))
            split.append((stop, ids))
        for stop, ids in split:
            stops.append(stop)
            orders[stop.id] = ids
    problem = Problem(hubs=(day.hub,), stops=tuple(stops), vehicles=day.vehicles, name=f"{day.name} collection",
                      max_reloads=day.max_reloads, matrices=day.matrices)
    return problem, orders


def distribution_problem(day: HubDay, collection: Result | None, to_collect: Mapping[str, tuple[str, ...]],
                         hopeless: set[str] = frozenset(),
                         ) -> tuple[Problem, dict[str, float], dict[str, tuple[str, ...]], list[UnservedOrders]]:
    """Drop stops released when their goods are at the hub; vehicles free once their collection is back.

    `hopeless` orders (see `hopeless_orders`) go in as they are, for the solver's check to report.
    """
    back = {}  # (order id, producer stop id) → when the collection trip with those goods is at the hub
    free_from = {}
    if collection is not None:
        for route in collection.routes:
            free_from[route.vehicle_id] = max(free_from.get(route.vehicle_id, 0.0), route.end_time)
            for stop_id in route.stop_ids:
                for order_id in to_collect.get(stop_id, ()):
                    back[(order_id, source_id(stop_id))] = route.end_time
    ready: dict[str, float] = {}
    missing: dict[str, list[str]] = {}
    for item in day.consignments:
        if item.order_id in hopeless:
            continue
        at = day.at_hub.get((item.order_id, item.producer_id))
        if at is None:
            at = back.get((item.order_id, item.producer_id))
        if at is None:
            missing.setdefault(item.order_id, []).append(item.producer_id)
        else:
            ready[item.order_id] = max(ready.get(item.order_id, 0.0), at)
    blocked: dict[str, list[str]] = {}
    for order in day.orders:
        if order.id in missing:
            blocked.setdefault(order.stop_id, []).append(order.id)
            ready.pop(order.id, None)
    stops, orders_at = _drop_stops(day, [o for o in day.orders if o.id not in missing], ready)
    vehicles = tuple(replace(v, shift_start=max(v.shift_start, free_from[v.id])) if v.id in free_from else v
                     for v in day.vehicles)
    unserved = [UnservedOrders(stop_id, tuple(ids), GOODS_NOT_COLLECTED,
                               "the goods of a producer of these orders cannot be collected")
                for stop_id, ids in blocked.items()]
    problem = Problem(hubs=(day.hub,), stops=stops, vehicles=vehicles, name=f"{day.name} distribution",
                      max_reloads=day.max_reloads, matrices=day.matrices)
    return problem, ready, orders_at, unserved


def located(day: HubDay, osrm_url: str | None = None, cache_day: object = None) -> HubDay:
    """The day with one distance matrix over the hub, every drop and every producer with coordinates,
    shared by all its problems (built once, not per problem)."""
    if day.matrices is not None:
        return day
    places = [p for p in (*day.drops, *day.producers) if p.lat is not None and p.lon is not None]
    if day.hub.lat is None or day.hub.lon is None:
        raise ValueError(f"hub {day.hub.id} has no coordinates")
    matrices = build_matrices([(day.hub.lat, day.hub.lon)] + [(p.lat, p.lon) for p in places], osrm_url,
                              day=cache_day)
    index = {id(p): k for k, p in enumerate(places, start=1)}
    return replace(day, hub=replace(day.hub, matrix_index=0), matrices=matrices,
                   drops=tuple(replace(s, matrix_index=index.get(id(s))) for s in day.drops),
                   producers=tuple(replace(s, matrix_index=index.get(id(s))) for s in day.producers))


def plan_hub_day(day: HubDay, seconds: float, *, collection_seconds: float | None = None,
                 osrm_url: str | None = None, cache_day: object = None, **solve_options) -> HubDayResult:
    """Collection first, then distribution from the hub; `solve_options` go to `solver.solve`.

    The problems in the result carry the day's matrices (see `located`).
    """
    day = located(day, osrm_url, cache_day)
    hopeless = hopeless_orders(day, osrm_url, cache_day)
    collect, to_collect = collection_problem(day, hopeless)
    collection = None
    if collect.stops:
        collection = solve(with_matrices(collect, osrm_url, cache_day), collection_seconds or seconds, **solve_options)
    served = {s for r in (collection.routes if collection else ()) for s in r.stop_ids}
    collected = {k: v for k, v in to_collect.items() if k in served}
    distribute, ready, orders_at, blocked = distribution_problem(day, collection, collected, hopeless)
    distribution = solve(with_matrices(distribute, osrm_url, cache_day), seconds, **solve_options)
    return HubDayResult(collection, distribution, collect if collect.stops else None, distribute, ready,
                        to_collect, collected, orders_at, tuple(blocked))
