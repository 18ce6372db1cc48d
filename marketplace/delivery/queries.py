"""Delivery reads: tours of a day, planning runs, the driver's tour, the impact figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer
from marketplace.delivery.models import (
    PlanRun,
    PlanRunStatus,
    ProducerDropoff,
    StopKind,
    StopState,
    Tour,
    TourKind,
    TourStatus,
    TourStop,
    TourStopOrder,
    Vehicle,
)
from marketplace.delivery.routing.distances import DEFAULT_ROAD_FACTOR, geodesic_metres
from marketplace.delivery.svg_map import MapPoint, MapStop, MapTour
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, ProducerOrder
from marketplace.pickup.models import Compartment, CompartmentReservation, PickupPlace
from marketplace.regions.models import DoorWindow, Municipality, Place, SubRegion


def list_region_producers(sub_region: SubRegion) -> list[Producer]:
    """Approved producers of the sub-region's region: the ones who may drop off at its hub."""
    return list(db.session.scalars(
        select(Producer).join(Place, Producer.place_id == Place.id).join(Municipality).join(SubRegion)
        .where(SubRegion.region_id == sub_region.region_id, Producer.is_approved.is_(True))
        .options(selectinload(Producer.place)).order_by(Producer.name, Producer.id)))


def list_dropoff_producer_ids(sub_region_id: int) -> list[int]:
    return list(db.session.scalars(select(ProducerDropoff.producer_id).where(
        ProducerDropoff.sub_region_id == sub_region_id).order_by(ProducerDropoff.producer_id)))


def list_vehicles(sub_region_id: int) -> list[Vehicle]:
    return list(db.session.scalars(
        select(Vehicle).where(Vehicle.sub_region_id == sub_region_id)
        .order_by(Vehicle.is_active.desc(), Vehicle.name)))


def list_door_windows(sub_region_id: int) -> list[DoorWindow]:
    return list(db.session.scalars(
        select(DoorWindow).where(DoorWindow.sub_region_id == sub_region_id).order_by(DoorWindow.starts)))


def _with_stops(query):
    return query.options(
        selectinload(Tour.vehicle), selectinload(Tour.driver),
        selectinload(Tour.stops).selectinload(TourStop.orders).selectinload(TourStopOrder.order),
        selectinload(Tour.stops).selectinload(TourStop.pickup_place))


def list_tours(day: date, sub_region_id: int, *, published_only: bool = False) -> list[Tour]:
    query = _with_stops(select(Tour).where(Tour.delivery_date == day, Tour.sub_region_id == sub_region_id)
                        ).order_by(Tour.kind.desc(), Tour.id)
    if published_only:
        query = query.where(Tour.status == TourStatus.PUBLISHED)
    return list(db.session.scalars(query))


def get_latest_run(day: date, sub_region_id: int) -> PlanRun | None:
    """The newest planning run of the day that covered the sub-region (alone or the whole day)."""
    return db.session.scalars(
        select(PlanRun).where(PlanRun.delivery_date == day,
                              or_(PlanRun.sub_region_id == sub_region_id, PlanRun.sub_region_id.is_(None)))
        .order_by(PlanRun.created_at.desc(), PlanRun.id.desc()).limit(1)
    ).first()


def get_latest_finished_run(day: date, sub_region_id: int) -> PlanRun | None:
    return db.session.scalars(
        select(PlanRun).where(PlanRun.delivery_date == day, PlanRun.status == PlanRunStatus.DONE,
                              or_(PlanRun.sub_region_id == sub_region_id, PlanRun.sub_region_id.is_(None)))
        .order_by(PlanRun.finished_at.desc(), PlanRun.id.desc()).limit(1)
    ).first()


def list_unserved(run: PlanRun | None, sub_region_id: int) -> list[dict]:
    if run is None:
        return []
    return [u for u in (run.unserved or []) if u.get("sub_region_id") == sub_region_id]


def list_problem_stops(day: date, sub_region_id: int) -> list[TourStop]:
    return list(db.session.scalars(
        select(TourStop).join(Tour)
        .where(Tour.delivery_date == day, Tour.sub_region_id == sub_region_id,
               TourStop.state == StopState.PROBLEM)
        .order_by(TourStop.problem_at)))


def list_driver_tours(driver: User, today: date) -> list[Tour]:
    """The driver's published tours, today or on the next day they have any; without one, the
    last earlier day whose tours of theirs still have stops to do.

    Only the tours assigned to them (`accounts.permissions.can_drive` says the same for one tour).
    """
    theirs = (Tour.status == TourStatus.PUBLISHED) & (Tour.driver_id == driver.id)
    next_day = db.session.scalar(
        select(Tour.delivery_date).where(theirs, Tour.delivery_date >= today).order_by(Tour.delivery_date).limit(1))
    if next_day is None:
        next_day = db.session.scalar(
            select(Tour.delivery_date).join(Tour.stops)
            .where(theirs, Tour.delivery_date < today, TourStop.kind != StopKind.DEPOT,
                   TourStop.state != StopState.DONE)
            .order_by(Tour.delivery_date.desc()).limit(1))
    if next_day is None:
        return []
    # Distribution first, as on the coordinator's day view.
    return list(db.session.scalars(_with_stops(select(Tour).where(theirs, Tour.delivery_date == next_day))
                                   .order_by(Tour.kind.desc(), Tour.starts_at, Tour.id)))


def list_driver_day_tours(driver: User, day: date) -> list[list[Tour]]:
    """The driver's published tours of `day`, one list of trips per vehicle (in the order they start)."""
    stops = selectinload(Tour.stops)
    trips = db.session.scalars(_with_stops(select(Tour).where(
        Tour.status == TourStatus.PUBLISHED, Tour.driver_id == driver.id, Tour.delivery_date == day))
        .options(selectinload(Tour.sub_region), stops.selectinload(TourStop.hub_place),
                 stops.selectinload(TourStop.pickup_place).selectinload(PickupPlace.place),
                 stops.selectinload(TourStop.producer).selectinload(Producer.place),
                 stops.selectinload(TourStop.orders).selectinload(TourStopOrder.order).selectinload(Order.resident))
        .order_by(Tour.starts_at, Tour.id))
    grouped: dict[tuple[int, int], list[Tour]] = {}
    for trip in trips:
        grouped.setdefault((trip.sub_region_id, trip.vehicle_id), []).append(trip)
    return list(grouped.values())


def get_unfinished_day(sub_region_id: int, *, before: date) -> date | None:
    """The last delivery day before `before` whose published tours still have stops to do."""
    return db.session.scalar(
        select(Tour.delivery_date).join(Tour.stops)
        .where(Tour.sub_region_id == sub_region_id, Tour.delivery_date < before,
               Tour.status == TourStatus.PUBLISHED, TourStop.kind != StopKind.DEPOT,
               TourStop.state != StopState.DONE)
        .order_by(Tour.delivery_date.desc()).limit(1))


@dataclass(frozen=True)
class LoadingOrder:
    number: str
    resident: str
    loads: dict[str, int]
    goods: list[tuple[str, list[tuple[str, int, str]]]]  # (producer, [(product, quantity, temperature)])
    compartments: list[str]  # labels of the compartments held for it at its station, if any


@dataclass(frozen=True)
class LoadingStop:
    sequence: int
    label: str
    kind: str  # station, sales_point, door
    orders: list[LoadingOrder]


def get_loading_list(tour: Tour) -> tuple[list[LoadingStop], list[tuple[str, list[tuple[str, int, str]]]]]:
    """What goes into the van at the hub: the drop stops last to first, each order's crates and goods.

    The second part is the producers' goods the van must hold in all, to tick off against what
    reached the hub.
    """
    stops = [s for s in tour.stops if s.kind == StopKind.DROP]
    order_ids = [link.order_id for s in stops for link in s.orders]
    orders = {o.id: o for o in db.session.scalars(
        select(Order).where(Order.id.in_(order_ids)).options(
            selectinload(Order.lines).selectinload(OrderLine.producer_order).selectinload(ProducerOrder.producer),
            selectinload(Order.resident)))} if order_ids else {}
    held: dict[int, list[str]] = {}
    if order_ids:
        for order_id, label in db.session.execute(
                select(CompartmentReservation.order_id, Compartment.label).join(CompartmentReservation.compartment)
                .where(CompartmentReservation.order_id.in_(order_ids),
                       CompartmentReservation.delivery_date == tour.delivery_date,
                       CompartmentReservation.released_at.is_(None))
                .order_by(Compartment.label)):
            held.setdefault(order_id, []).append(label)
    totals: dict[str, dict[tuple[str, str], int]] = {}
    result = []
    for stop in sorted(stops, key=lambda s: s.sequence, reverse=True):
        loading = []
        for link in stop.orders:
            order = orders[link.order_id]
            goods: dict[str, list[tuple[str, int, str]]] = {}
            for line in sorted(order.lines, key=lambda x: (x.producer_order.producer.name, x.product_name)):
                producer = line.producer_order.producer.name
                goods.setdefault(producer, []).append((line.product_name, line.quantity, line.temperature.value))
                key = (line.product_name, line.temperature.value)
                totals.setdefault(producer, {})[key] = totals.get(producer, {}).get(key, 0) + line.quantity
            loading.append(LoadingOrder(order.number, order.resident.name, link.loads, list(goods.items()),
                                        held.get(order.id, [])))
        kind = stop.pickup_place.kind.value if stop.pickup_place is not None else "door"
        result.append(LoadingStop(stop.sequence, stop.label, kind, loading))
    summary = [(producer, [(name, qty, temp) for (name, temp), qty in sorted(items.items())])
               for producer, items in sorted(totals.items())]
    return result, summary


def get_current_stop(tour: Tour) -> TourStop | None:
    """The first stop not yet confirmed (problem stops stay current until delivered)."""
    return next((s for s in tour.visits if s.state != StopState.DONE), None)


def estimate_arrivals(tour: Tour) -> dict[int, datetime]:
    """Each stop's arrival: the actual one where the driver recorded it, otherwise the planned one
    moved by how late (or early) the van was at the last stop with an actual time.

    The tour's start counts when it was late (an early start waits for the plan). A stop with a
    time window is never expected before it opens.
    """
    offset = timedelta(0)
    if tour.started_at is not None:
        offset = max(tour.started_at - tour.starts_at, timedelta(0))
    result: dict[int, datetime] = {}
    for stop in tour.stops:
        if stop.kind == StopKind.DEPOT:
            result[stop.id] = stop.planned_arrival + offset
            continue
        if stop.arrived_at is not None:
            result[stop.id] = stop.arrived_at
            offset = stop.arrived_at - stop.planned_arrival
        elif stop.done_at is not None and stop.state == StopState.DONE:
            result[stop.id] = min(stop.done_at, stop.planned_arrival + offset)
        else:
            expected = stop.planned_arrival + offset
            if stop.window_opens is not None:
                expected = max(expected, stop.window_opens)
            result[stop.id] = expected
        if stop.state == StopState.DONE and stop.done_at is not None:
            offset = stop.done_at - stop.planned_departure
    return result


def get_expected_arrival(order_id: int) -> datetime | None:
    """When the order's published distribution stop is expected, while it is still to come."""
    stop = db.session.scalars(
        select(TourStop).join(TourStop.orders).join(TourStop.tour)
        .where(TourStopOrder.order_id == order_id, TourStop.kind == StopKind.DROP,
               Tour.status == TourStatus.PUBLISHED, Tour.kind == TourKind.DISTRIBUTION)
        .order_by(Tour.delivery_date.desc()).limit(1)).first()
    if stop is None or stop.state == StopState.DONE or stop.tour.ended_at is not None:
        return None
    return estimate_arrivals(stop.tour)[stop.id]


@dataclass(frozen=True)
class TourProgress:
    tour_id: int
    state: str  # planned, published, started, ended
    done: int
    stops: int
    next_label: str | None
    next_expected: datetime | None
    delay_minutes: int


def get_tour_progress(tour: Tour) -> TourProgress:
    """How far a tour is: stops done of all, the next stop and when it is expected, minutes late."""
    visits = tour.visits
    done = sum(1 for s in visits if s.state == StopState.DONE)
    following = get_current_stop(tour)
    expected = estimate_arrivals(tour) if visits else {}
    delay = 0
    if following is not None and tour.started_at is not None:
        delay = round((expected[following.id] - following.planned_arrival).total_seconds() / 60)
    state = ("ended" if tour.ended_at else "started" if tour.started_at else tour.status.value)
    return TourProgress(tour.id, state, done, len(visits), following.label if following else None,
                        expected.get(following.id) if following else None, delay)


def build_map_tours(tours: list[Tour], hub_label: str) -> list[MapTour]:
    result = []
    for tour in tours:
        depot = tour.stops[0] if tour.stops else None
        if depot is None:
            continue
        kind = "Sammeltour" if tour.kind == TourKind.COLLECTION else "Verteiltour"
        result.append(MapTour(
            name=f"{tour.vehicle.name} ({kind})",
            hub=(depot.lat, depot.lon),
            stops=tuple(MapStop(s.lat, s.lon, s.label, s.sequence) for s in tour.visits),
            dashed=tour.kind == TourKind.COLLECTION,
        ))
    return result


def list_unserved_points(unserved: list[dict]) -> list[MapPoint]:
    """Unserved pickup places with coordinates, for the map (doors without coordinates cannot be drawn)."""
    from marketplace.pickup.models import PickupPlace

    points = []
    for entry in unserved:
        stop = entry.get("stop", "")
        if stop.startswith("pp") and stop[2:].isdigit():
            place = db.session.get(PickupPlace, int(stop[2:]))
            if place is not None:
                points.append(MapPoint(place.lat, place.lon, place.name))
    return points


@dataclass(frozen=True)
class Impact:
    orders: int
    tour_km: float
    km_per_order: float
    resident_km_per_order: float
    saved_km: float
    saved_co2_kg: float
    towns: list[str]


def get_impact(tours: list[Tour], *, town_names: list[str] | None, co2_g_per_km: float) -> Impact | None:
    """Tour km per order against each resident's round trip to the nearest supermarket town."""
    orders: dict[int, Order] = {}
    for tour in tours:
        if tour.kind != TourKind.DISTRIBUTION:
            continue
        for stop in tour.visits:
            for link in stop.orders:
                orders[link.order_id] = link.order
    if not orders:
        return None
    query = select(Place).where(Place.kind == "town")
    if town_names:
        query = select(Place).where(Place.name.in_(town_names))
    towns = list(db.session.scalars(query.order_by(Place.name)))
    if not towns:
        return None
    tour_km = sum(t.km for t in tours)
    trips = []
    for order in orders.values():
        home = _home_of(order)
        if home is None:
            continue
        nearest = min(geodesic_metres(home, (t.lat, t.lon)) for t in towns)
        trips.append(2 * nearest * DEFAULT_ROAD_FACTOR / 1000)
    if not trips:
        return None
    resident_km = sum(trips)
    saved = resident_km - tour_km
    return Impact(
        orders=len(orders), tour_km=tour_km, km_per_order=tour_km / len(orders),
        resident_km_per_order=resident_km / len(trips), saved_km=saved,
        saved_co2_kg=saved * co2_g_per_km / 1000, towns=[t.name for t in towns],
    )


def _home_of(order: Order) -> tuple[float, float] | None:
    resident = order.resident
    if resident.home_lat is not None and resident.home_lon is not None:
        return resident.home_lat, resident.home_lon
    if order.door_lat is not None and order.door_lon is not None:
        return order.door_lat, order.door_lon
    if order.pickup_place is not None:
        return order.pickup_place.lat, order.pickup_place.lon
    return None

