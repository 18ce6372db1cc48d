"""Planning a delivery day: orders → routing problems → solved → stored tours; planning runs."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.core.clock import LOCAL_TZ
from marketplace.delivery import routing
from marketplace.delivery.models import (
    TEMPERATURES,
    CollectedGoods,
    PlanRun,
    PlanRunStatus,
    ProducerDropoff,
    StopKind,
    Tour,
    TourKind,
    TourStatus,
    TourStop,
    TourStopOrder,
    Vehicle,
)
from marketplace.delivery.services.errors import InvalidSetting, PlanRunBusy
from marketplace.delivery.services.settings import _seconds, parse_window
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderLine, OrderStatus
from marketplace.pickup.models import PickupPlace, SalesPoint
from marketplace.regions.models import Place, SubRegion

# Orders that go out on the day's tours.
PLANNABLE = (OrderStatus.CONFIRMED, OrderStatus.PACKED)
# Reasons this module adds to the routing package's codes.
NO_HUB = "no_hub"
CLOSED_THAT_DAY = "closed_that_day"

Progress = Callable[[int, str], None]


@dataclass
class StopSource:
    """What a routing stop stands for in the database."""

    kind: StopKind
    label: str
    address: str
    lat: float | None
    lon: float | None
    pickup_place_id: int | None = None
    producer_id: int | None = None
    orders: dict[int, list[int]] = field(default_factory=dict)  # order id → crates per class
    order_numbers: list[str] = field(default_factory=list)


@dataclass
class SubRegionInput:
    sub_region_id: int
    name: str
    hub_place_id: int | None
    day: routing.HubDay | None = None
    sources: dict[str, StopSource] = field(default_factory=dict)
    refused: list[routing.UnservedStop] = field(default_factory=list)
    numbers: dict[int, str] = field(default_factory=dict)  # order id → order number
    # (order id, producer stop id) → crates of that producer's goods for that order
    consignments: dict[tuple[int, str], list[int]] = field(default_factory=dict)


@dataclass
class DayInput:
    day: date
    planned_ids: list[int]  # sub-regions whose tours are stored
    groups: dict[int, SubRegionInput]  # planned and, for the grouping cost, their neighbours


def _exact(lines) -> dict[str, Decimal]:
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        exact[line.temperature.value] += Decimal(line.crate_units) * line.quantity
    return exact


def _crates(exact: dict[str, Decimal]) -> list[int]:
    """Whole crates per temperature class."""
    return [math.ceil(exact.get(t, Decimal(0))) for t in TEMPERATURES]


def _window_for(place: PickupPlace, weekday: int, shifts: list[tuple[float, float]],
                service: float) -> tuple[float, float] | None | str:
    """A sales point's opening interval that day that overlaps the shifts most; stations: any time."""
    if not isinstance(place, SalesPoint):
        return None
    best, best_overlap = None, -1.0
    for hours in place.opening_hours:
        if hours.weekday != weekday:
            continue
        early, late = _seconds(hours.opens), _seconds(hours.closes)
        overlap = max((min(late, e) - max(early, s) for s, e in shifts), default=late - early)
        if overlap > best_overlap:
            best, best_overlap = (early, late), overlap
    if best is None:
        return CLOSED_THAT_DAY
    early, late = best
    # Unloading should be over before the shop closes.
    return (early, late - service) if late - service > early else best


def prepare_day(day: date, sub_region_ids: list[int]) -> DayInput:
    """Read the day's orders, pickup places, vehicles and hubs into routing problems (no writes)."""
    planned = db.session.scalars(
        select(SubRegion).where(SubRegion.id.in_(sub_region_ids)).order_by(SubRegion.id)
    ).all()
    region_ids = {s.region_id for s in planned}
    all_ids = db.session.scalars(select(Order.sub_region_id).distinct().join(SubRegion).where(
        Order.delivery_date == day, Order.status.in_(PLANNABLE), SubRegion.region_id.in_(region_ids),
    )).all()
    ids = sorted(set(sub_region_ids) | set(all_ids))
    groups = {sid: _prepare_sub_region(db.session.get(SubRegion, sid), day) for sid in ids}
    return DayInput(day=day, planned_ids=[s.id for s in planned], groups=groups)


def _on_published(day: date, sub_region_id: int, kind: TourKind):
    return (
        select(TourStopOrder.order_id).join(TourStop).join(Tour)
        .where(Tour.delivery_date == day, Tour.sub_region_id == sub_region_id,
               Tour.status == TourStatus.PUBLISHED, Tour.kind == kind)
    )


def _seconds_of_day(day: date, moment: datetime) -> float:
    midnight = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return (moment - midnight).total_seconds()


def _published_ends(day: date, sub_region_id: int) -> dict[int, float]:
    """Vehicle id → when its last published trip of the day is back at the hub (seconds of the day)."""
    ends: dict[int, float] = {}
    for vehicle_id, ends_at in db.session.execute(select(Tour.vehicle_id, Tour.ends_at).where(
            Tour.delivery_date == day, Tour.sub_region_id == sub_region_id, Tour.status == TourStatus.PUBLISHED)):
        ends[vehicle_id] = max(ends.get(vehicle_id, 0.0), _seconds_of_day(day, ends_at))
    return ends


def _published_goods(day: date, sub_region_id: int) -> dict[tuple[int, int], float]:
    """(order id, producer id) → when a published collection trip brings those goods to the hub."""
    rows = db.session.execute(
        select(CollectedGoods.order_id, TourStop.producer_id, Tour.ends_at)
        .join(TourStop, CollectedGoods.stop_id == TourStop.id).join(Tour, TourStop.tour_id == Tour.id)
        .where(Tour.delivery_date == day, Tour.sub_region_id == sub_region_id,
               Tour.status == TourStatus.PUBLISHED, Tour.kind == TourKind.COLLECTION))
    return {(o, p): _seconds_of_day(day, ends_at) for o, p, ends_at in rows}


def _prepare_sub_region(sub_region: SubRegion, day: date) -> SubRegionInput:
    schedule = sub_region.schedule
    group = SubRegionInput(sub_region.id, sub_region.name, schedule.hub_place_id if schedule else None)
    orders = db.session.scalars(
        select(Order)
        .where(Order.delivery_date == day, Order.sub_region_id == sub_region.id,
               Order.status.in_(PLANNABLE),
               Order.id.not_in(_on_published(day, sub_region.id, TourKind.DISTRIBUTION)))
        .options(selectinload(Order.lines).selectinload(OrderLine.producer_order),
                 selectinload(Order.pickup_place).selectinload(PickupPlace.opening_hours))
        .order_by(Order.id)
    ).all()
    vehicles = db.session.scalars(select(Vehicle).where(
        Vehicle.sub_region_id == sub_region.id, Vehicle.is_active.is_(True)).order_by(Vehicle.id)).all()
    per_stop = schedule.service_seconds_per_stop if schedule else 0
    per_crate = schedule.service_seconds_per_crate if schedule else 0
    shifts = [(_seconds(v.shift_start), _seconds(v.shift_end)) for v in vehicles]

    windows: dict[str, object] = {}
    day_orders: list[routing.DayOrder] = []
    place_crates: dict[int, int] = defaultdict(int)
    for order in orders:
        if order.pickup_place_id is not None:
            place_crates[order.pickup_place_id] += sum(_crates(_exact(order.lines)))
    for order in orders:
        group.numbers[order.id] = order.number
        if order.fulfilment == Fulfilment.DOOR:
            key = f"door{order.id}"
            address = ", ".join(p for p in (order.door_street, order.door_postcode, order.door_town) if p)
            group.sources[key] = StopSource(StopKind.DROP, order.door_town or order.number, address,
                                            order.door_lat, order.door_lon)
            windows[key] = parse_window(order.door_window)
        else:
            place = order.pickup_place
            key = f"pp{place.id}"
            if key not in group.sources:
                group.sources[key] = StopSource(StopKind.DROP, place.name, f"{place.street}, {place.place.name}",
                                                place.lat, place.lon, pickup_place_id=place.id)
                # Unloading every crate should be over before the shop closes.
                windows[key] = _window_for(place, day.isoweekday(), shifts, per_stop + per_crate * place_crates[place.id])
        # An order's goods take whole crates per class: rounded up per order (for the drop) and
        # per order and producer (each producer packs its part of the order on its own).
        order_exact: dict[str, Decimal] = defaultdict(Decimal)
        by_producer: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for line in order.lines:
            amount = Decimal(line.crate_units) * line.quantity
            order_exact[line.temperature.value] += amount
            producer = line.producer_order.producer
            pkey = f"prod{producer.id}"
            by_producer[pkey][line.temperature.value] += amount
            if pkey not in group.sources:
                group.sources[pkey] = StopSource(StopKind.PICKUP, producer.name,
                                                 f"{producer.street or ''}, {producer.place.name}".strip(", "),
                                                 producer.place.lat, producer.place.lon, producer_id=producer.id)
        group.sources[key].orders[order.id] = _crates(order_exact)
        group.sources[key].order_numbers.append(order.number)
        if windows.get(key) == CLOSED_THAT_DAY:
            continue  # reported below; its goods need not come to the hub
        day_orders.append(routing.DayOrder(str(order.id), key, routing.Load(*_crates(order_exact))))
        for pkey, exact in by_producer.items():
            group.consignments[(order.id, pkey)] = _crates(exact)
            group.sources[pkey].orders[order.id] = _crates(exact)
    for source in group.sources.values():
        if source.kind == StopKind.PICKUP:
            source.order_numbers = [group.numbers[o] for o in source.orders]
    for key, window in windows.items():
        if window == CLOSED_THAT_DAY:
            group.refused.append(routing.UnservedStop(key, CLOSED_THAT_DAY, "closed on that weekday"))

    if schedule is None:
        group.refused = [routing.UnservedStop(k, NO_HUB, "the sub-region has no hub")
                         for k, s in group.sources.items() if s.kind == StopKind.DROP]
        return group
    hub = routing.Hub(f"hub{sub_region.id}", schedule.hub_place.lat, schedule.hub_place.lon)

    def stop(key: str) -> routing.Stop:
        source = group.sources[key]
        window = windows.get(key)
        return routing.Stop(id=key, lat=source.lat, lon=source.lon, fixed_service_seconds=per_stop,
                            per_crate_seconds=per_crate, time_window=window if isinstance(window, tuple) else None)

    # A vehicle with published trips that day starts its new ones when the last of them is back.
    busy_until = _published_ends(day, sub_region.id)
    fleet = tuple(
        routing.Vehicle(id=f"v{v.id}", capacity=routing.Load(v.capacity_ambient, v.capacity_chilled, v.capacity_frozen),
                        shift_start=max(_seconds(v.shift_start), busy_until.get(v.id, 0.0)),
                        shift_end=_seconds(v.shift_end),
                        cost_per_km_cents=v.cost_per_km_cents, cost_per_hour_cents=v.cost_per_hour_cents)
        for v in vehicles if busy_until.get(v.id, 0.0) < _seconds(v.shift_end))
    at_hub: dict[tuple[str, str], float] = {
        (str(o), f"prod{p}"): at for (o, p), at in _published_goods(day, sub_region.id).items()}
    if schedule.dropoff_by is not None:
        dropping = set(db.session.scalars(select(ProducerDropoff.producer_id).where(
            ProducerDropoff.sub_region_id == sub_region.id)))
        for order_id, pkey in group.consignments:
            if group.sources[pkey].producer_id in dropping:
                at_hub.setdefault((str(order_id), pkey), _seconds(schedule.dropoff_by))
    used_drops = {o.stop_id for o in day_orders}
    group.day = routing.HubDay(
        hub=hub, vehicles=fleet,
        drops=tuple(stop(k) for k, s in group.sources.items() if s.kind == StopKind.DROP and k in used_drops),
        producers=tuple(stop(k) for k, s in group.sources.items() if s.kind == StopKind.PICKUP),
        orders=tuple(day_orders),
        consignments=tuple(routing.Consignment(str(o), p, routing.Load(*c)) for (o, p), c in group.consignments.items()),
        at_hub=at_hub, name=sub_region.slug,
    )
    return group


@dataclass
class DaySolution:
    days: dict[int, routing.HubDayResult]
    with_borders: routing.Result | None = None
    without_borders: routing.Result | None = None
    grouping_sub_regions: list[str] = field(default_factory=list)


def solve_day(data: DayInput, *, seconds: float, osrm_url: str | None = None, progress: Progress | None = None,
              workers: int | None = None, repeatable: bool = True) -> DaySolution:
    """Solve every problem of the day (pure computation, no database): per sub-region its
    collection, then its distribution (`routing.plan_hub_day`), then the day without borders.

    `repeatable` (the default for stored plans): each problem gets an iteration budget worth
    `seconds` on the reference machine and one seeded worker, so the same day with the same
    settings gives the same tours; otherwise `workers` cooperating workers stop by the clock.
    """
    if seconds is None or not seconds > 0:
        raise InvalidSetting()
    report = progress or (lambda pct, msg: None)
    seeds = [1] if workers == 1 or repeatable else None
    options = {"seeds": seeds, "workers": workers, "repeatable": repeatable}
    tasks = [sid for sid, g in data.groups.items() if g.day is not None]
    total = len(tasks) + 1
    solution = DaySolution({})
    for done, sid in enumerate(tasks):
        report(10 + 80 * done // total, data.groups[sid].name)
        solution.days[sid] = routing.plan_hub_day(data.groups[sid].day, seconds, osrm_url=osrm_url,
                                                  cache_day=data.day, **options)
    # Without borders the sub-regions' places are measured together: from their coordinates.
    comparable = {sid: replace(r.distribution_problem, matrices=None) for sid, r in solution.days.items()
                  if r.distribution_problem.vehicles and r.distribution_problem.stops}
    if len(comparable) > 1:
        report(10 + 80 * len(tasks) // total, "without borders")
        solution.without_borders = routing.plan_without_borders(
            {str(k): v for k, v in comparable.items()}, seconds, osrm_url=osrm_url, day=data.day, **options)
        solution.grouping_sub_regions = [data.groups[k].name for k in comparable]
    return solution


def _at(day: date, seconds: float) -> datetime:
    midnight = datetime.combine(day, time(0), tzinfo=LOCAL_TZ)
    return (midnight + timedelta(seconds=round(seconds))).astimezone(UTC)


def store_day(data: DayInput, solution: DaySolution, *, now: datetime, run: PlanRun | None = None) -> dict:
    """Replace the planned (unpublished) tours of the planned sub-regions with the new ones."""
    summary: dict = {}
    unserved: list[dict] = []
    for sid in data.planned_ids:
        kept = select(Tour.vehicle_id, Tour.driver_id).where(
            Tour.delivery_date == data.day, Tour.sub_region_id == sid, Tour.driver_id.is_not(None))
        # A vehicle keeps the driver the coordinator gave its trips of the day.
        drivers = {v: d for v, d in db.session.execute(kept.order_by(Tour.id))}
        db.session.execute(delete(Tour).where(
            Tour.delivery_date == data.day, Tour.sub_region_id == sid, Tour.status == TourStatus.PLANNED))
        group = data.groups[sid]
        result = solution.days.get(sid)
        tours = []
        if result is not None:
            for kind, solved, problem in ((TourKind.COLLECTION, result.collection, result.collection_problem),
                                          (TourKind.DISTRIBUTION, result.distribution, result.distribution_problem)):
                if solved is None:
                    continue
                for route in solved.routes:
                    tours.append(_store_route(group, kind, route, problem, result, data.day, now, run))
                    tours[-1].driver_id = drivers.get(tours[-1].vehicle_id)
            for missing in (result.collection.unserved if result.collection else ()):
                orders = [int(o) for o in result.to_collect.get(missing.stop_id, ())]
                unserved.append(_unserved_entry(group, routing.source_id(missing.stop_id), missing.reason,
                                                missing.detail, orders))
            for missing in result.distribution.unserved:
                orders = [int(o) for o in result.orders_at.get(missing.stop_id, ())]
                unserved.append(_unserved_entry(group, routing.source_id(missing.stop_id), missing.reason,
                                                missing.detail, orders))
            for blocked in result.blocked:
                unserved.append(_unserved_entry(group, blocked.stop_id, blocked.reason, blocked.detail,
                                                [int(o) for o in blocked.order_ids]))
        for missing in group.refused:
            source = group.sources.get(missing.stop_id)
            unserved.append(_unserved_entry(group, missing.stop_id, missing.reason, missing.detail,
                                            list(source.orders) if source else []))
        summary[str(sid)] = {
            "name": group.name,
            "tours": sum(1 for t in tours if t.kind == TourKind.DISTRIBUTION),
            "collection_tours": sum(1 for t in tours if t.kind == TourKind.COLLECTION),
            "km": round(sum(t.distance_m for t in tours) / 1000, 2),
            "hours": round(sum(t.duration_s for t in tours) / 3600, 2),
            "unserved": sum(1 for u in unserved if u["sub_region_id"] == sid),
        }
    if run is not None:
        run.unserved = unserved
        run.summary = summary
        comparable = [r.distribution for r in solution.days.values()
                      if r.distribution_problem.vehicles and r.distribution_problem.stops]
        run.km_with_borders = sum(r.km for r in comparable)
        run.hours_with_borders = sum(r.hours for r in comparable)
        without = solution.without_borders
        run.km_without_borders = without.km if without else run.km_with_borders
        run.hours_without_borders = without.hours if without else run.hours_with_borders
        summary["grouping"] = {
            "sub_regions": solution.grouping_sub_regions,
            "served_with": sum(len(r.stop_ids) for res in comparable for r in res.routes),
            "served_without": sum(len(r.stop_ids) for r in without.routes) if without else None,
        }
    db.session.flush()
    return summary


def _unserved_entry(group: SubRegionInput, key: str, reason: str, detail: str, order_ids: list[int]) -> dict:
    source = group.sources.get(key)
    return {
        "sub_region_id": group.sub_region_id, "stop": key,
        "kind": source.kind.value if source else "", "label": source.label if source else key,
        "reason": reason, "detail": detail,
        "orders": [group.numbers[o] for o in order_ids if o in group.numbers],
    }


def _store_route(group: SubRegionInput, kind: TourKind, route: routing.Route, problem: routing.Problem,
                 result: routing.HubDayResult, day: date, now: datetime, run: PlanRun | None) -> Tour:
    hub = db.session.get(Place, group.hub_place_id)
    load = route.peak_load
    tour = Tour(
        sub_region_id=group.sub_region_id, delivery_date=day, vehicle_id=int(route.vehicle_id[1:]), kind=kind,
        status=TourStatus.PLANNED, distance_m=round(route.distance), duration_s=round(route.duration),
        cost_cents=route.cost_cents, starts_at=_at(day, route.start_time), ends_at=_at(day, route.end_time),
        load_ambient=load.ambient, load_chilled=load.chilled, load_frozen=load.frozen, planned_at=now,
        plan_run=run,
    )

    def depot(sequence: int, at: float, leg: float) -> TourStop:
        return TourStop(sequence=sequence, kind=StopKind.DEPOT, hub_place=hub, label=hub.name, address=hub.name,
                        lat=hub.lat, lon=hub.lon, planned_arrival=_at(day, at), planned_departure=_at(day, at),
                        leg_distance_m=round(leg))

    tour.stops.append(depot(0, route.start_time, 0))
    wanted = {s.id: s for s in problem.stops}
    for n, planned in enumerate(route.stops, start=1):
        key = routing.source_id(planned.stop_id)
        source = group.sources[key]
        demand, window = wanted[planned.stop_id].demand, wanted[planned.stop_id].time_window
        stop = TourStop(
            sequence=n, kind=source.kind, pickup_place_id=source.pickup_place_id, producer_id=source.producer_id,
            label=source.label, address=source.address, lat=source.lat, lon=source.lon,
            planned_arrival=_at(day, planned.arrival), planned_departure=_at(day, planned.departure),
            leg_distance_m=round(planned.leg_distance), load_ambient=demand.ambient,
            load_chilled=demand.chilled, load_frozen=demand.frozen,
            window_opens=_at(day, window[0]) if window else None,
            window_closes=_at(day, window[1]) if window else None,
        )
        if kind == TourKind.DISTRIBUTION:
            for order_id in result.orders_at.get(planned.stop_id, ()):
                crates = source.orders[int(order_id)]
                stop.orders.append(TourStopOrder(order_id=int(order_id), load_ambient=crates[0],
                                                 load_chilled=crates[1], load_frozen=crates[2]))
        else:
            for order_id in result.collected.get(planned.stop_id, ()):
                crates = group.consignments[(int(order_id), key)]
                stop.goods.append(CollectedGoods(order_id=int(order_id), load_ambient=crates[0],
                                                 load_chilled=crates[1], load_frozen=crates[2]))
        tour.stops.append(stop)
    last = route.stops[-1].cumulative_distance if route.stops else 0
    tour.stops.append(depot(len(route.stops) + 1, route.end_time, route.distance - last))
    db.session.add(tour)
    return tour


def plan_day(*, day: date, sub_region: SubRegion | None = None, seconds: float, now: datetime,
             osrm_url: str | None = None, run: PlanRun | None = None, progress: Progress | None = None,
             workers: int | None = None, repeatable: bool = True) -> dict:
    """Plan and store the tours of `day` for `sub_region` (None: every sub-region with orders that day).

    Published tours stay; their orders and vehicles are left out. Repeatable by default (see
    `solve_day`): planning the same day twice gives the same tours. Returns a summary per
    sub-region; unserved stops with their reasons go onto `run` when one is given. Flushes,
    the caller commits. `progress` may commit (the solving phase holds no database state).
    """
    if seconds is None or not seconds > 0:
        raise InvalidSetting()
    report = progress or (lambda pct, msg: None)
    if sub_region is not None:
        ids = [sub_region.id]
    else:
        ids = sorted(set(db.session.scalars(select(Order.sub_region_id).distinct().where(
            Order.delivery_date == day, Order.status.in_(PLANNABLE)))))
    report(5, "reading orders")
    data = prepare_day(day, ids)
    solution = solve_day(data, seconds=seconds, osrm_url=osrm_url, progress=report, workers=workers,
                         repeatable=repeatable)
    report(95, "storing tours")
    return store_day(data, solution, now=now, run=run)


def create_plan_run(*, day: date, sub_region: SubRegion | None, seconds: float, now: datetime,
                    requested_by: User | None = None) -> PlanRun:
    """A queued planning job; refuses while another one for the same day and sub-region is unfinished."""
    if seconds is None or not seconds > 0:
        raise InvalidSetting()
    busy = db.session.scalars(select(PlanRun.id).where(
        PlanRun.delivery_date == day,
        PlanRun.sub_region_id == (sub_region.id if sub_region else None),
        PlanRun.status.in_((PlanRunStatus.QUEUED, PlanRunStatus.RUNNING)),
        PlanRun.created_at > now - timedelta(minutes=30),
    )).first()
    if busy is not None:
        raise PlanRunBusy()
    run = PlanRun(delivery_date=day, sub_region=sub_region, seconds=seconds, created_at=now,
                  requested_by_id=requested_by.id if requested_by else None, status=PlanRunStatus.QUEUED,
                  progress=0, message="", unserved=[], summary={})
    db.session.add(run)
    db.session.flush()
    return run


