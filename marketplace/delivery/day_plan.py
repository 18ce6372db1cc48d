"""The stored plan of a delivery day as one JSON document (`tours plan --json`): tours per vehicle with their trips.

A vehicle's collection and distribution runs are stored as separate `Tour` rows; here they are
the trips of one tour per vehicle and sub-region, in the order they start. The tour's id is
the id of its first trip's row. Loads are in crates; at the hub a distribution trip picks up
everything it delivers and a collection trip delivers everything it picked up, so that adding
pickups and subtracting deliveries along a trip gives what is on board.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select

from marketplace.catalog.models import Producer
from marketplace.core.clock import local_datetime, to_local
from marketplace.delivery.models import TEMPERATURES, ProducerDropoff, StopKind, Tour, TourKind, TourStop
from marketplace.delivery.queries import get_latest_finished_run, list_tours, list_unserved
from marketplace.delivery.routing.distances import geodesic_metres
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, ProducerOrder
from marketplace.pickup.models import PickupPlace
from marketplace.regions.models import Municipality, Place, SubRegion

# Orders that never went (or will not go) out on a tour.
_NOT_ON_TOURS = (OrderStatus.PLACED, OrderStatus.EXPIRED, OrderStatus.CANCELLED)
_ZERO = dict.fromkeys(TEMPERATURES, 0)


def _iso(moment: datetime | None) -> str | None:
    return to_local(moment).isoformat(timespec="seconds") if moment is not None else None


def list_day_sub_regions(day: date) -> list[SubRegion]:
    """Sub-regions with tours or orders to plan on `day`."""
    with_tours = select(Tour.sub_region_id).where(Tour.delivery_date == day)
    with_orders = select(Order.sub_region_id).where(Order.delivery_date == day, Order.status.not_in(_NOT_ON_TOURS))
    return list(db.session.scalars(select(SubRegion).where(
        SubRegion.id.in_(with_tours) | SubRegion.id.in_(with_orders)).order_by(SubRegion.id)))


def get_day_plan(day: date, sub_regions: list[SubRegion]) -> dict:
    """The stored tours of `day` (planned and published) and the unserved stops, per sub-region."""
    return {"date": day.isoformat(), "sub_regions": [_sub_region_plan(day, s) for s in sub_regions]}


class _Lookup:
    """What the stops need beyond their own rows, read once per sub-region."""

    def __init__(self, day: date, sub_region: SubRegion):
        rows = db.session.execute(
            select(Order.id, ProducerOrder.producer_id).join(ProducerOrder, ProducerOrder.order_id == Order.id)
            .where(Order.delivery_date == day, Order.sub_region_id == sub_region.id,
                   Order.status.not_in(_NOT_ON_TOURS))
            .order_by(Order.id, ProducerOrder.producer_id)).all()
        self.producers_of: dict[int, list[int]] = defaultdict(list)
        for order_id, producer_id in rows:
            self.producers_of[order_id].append(producer_id)
        self.places = list(db.session.scalars(select(Place).join(Municipality).where(
            Municipality.sub_region_id == sub_region.id).order_by(Place.id)))

    def village_near(self, lat: float | None, lon: float | None, fallback: int | None) -> int | None:
        if lat is None or lon is None or not self.places:
            return fallback
        return min(self.places, key=lambda p: geodesic_metres((lat, lon), (p.lat, p.lon))).id


def _sub_region_plan(day: date, sub_region: SubRegion) -> dict:
    lookup = _Lookup(day, sub_region)
    by_vehicle: dict[int, list[Tour]] = defaultdict(list)
    for tour in list_tours(day, sub_region.id):
        by_vehicle[tour.vehicle_id].append(tour)
    tours = []
    for trips in by_vehicle.values():
        trips.sort(key=lambda t: (t.starts_at, t.id))
        vehicle = trips[0].vehicle
        tours.append({
            "id": trips[0].id,
            "vehicle": {"id": vehicle.id, "name": vehicle.name, "capacity": vehicle.capacities},
            "driver_id": trips[0].driver_id,
            "trips": [_trip(t, lookup) for t in trips],
            "km": round(sum(t.distance_m for t in trips) / 1000, 3),
            "hours": round(sum(t.duration_s for t in trips) / 3600, 3),
        })
    tours.sort(key=lambda t: (t["trips"][0]["start"], t["id"]))
    schedule = sub_region.schedule
    dropoff_by = local_datetime(day, schedule.dropoff_by) if schedule and schedule.dropoff_by else None
    return {
        "slug": sub_region.slug,
        "dropoff_by": _iso(dropoff_by),
        "dropoff_producers": _dropoff_producers(sub_region, tours, lookup) if dropoff_by else [],
        "tours": tours,
        "unserved": _unserved(day, sub_region, lookup),
    }


def _dropoff_producers(sub_region: SubRegion, tours: list[dict], lookup: _Lookup) -> list[int]:
    """Producers who bring goods of the day's distributed orders to the hub: set to drop off there,
    and not collected for those orders."""
    dropping = set(db.session.scalars(select(ProducerDropoff.producer_id).where(
        ProducerDropoff.sub_region_id == sub_region.id)))
    collected, needed = set(), set()
    for tour in tours:
        for trip in tour["trips"]:
            for stop in trip["stops"][1:-1]:
                if trip["kind"] == "collection":
                    collected.update((o, stop["producer_id"]) for o in stop["orders"])
                else:
                    needed.update((o, p) for o in stop["orders"] for p in lookup.producers_of.get(o, []))
    return sorted({p for o, p in needed - collected if p in dropping})


def _trip(tour: Tour, lookup: _Lookup) -> dict:
    stops = [_stop(s, lookup) for s in tour.stops]
    visits = stops[1:-1]
    if len(stops) >= 2:
        # The hub: a distribution trip loads there what it delivers, a collection trip unloads what it fetched.
        hub = stops[0] if tour.kind == TourKind.DISTRIBUTION else stops[-1]
        side, other = ("pickup", "delivery") if tour.kind == TourKind.DISTRIBUTION else ("delivery", "pickup")
        hub[side] = {t: sum(v[other][t] for v in visits) for t in TEMPERATURES}
        hub["orders"] = sorted({o for v in visits for o in v["orders"]})
        hub["producers"] = sorted({p for v in visits for p in v["producers"]})
    return {"kind": tour.kind.value, "start": _iso(tour.starts_at), "end": _iso(tour.ends_at), "stops": stops}


def _stop_kind(stop: TourStop) -> str:
    if stop.kind == StopKind.DEPOT:
        return "hub"
    if stop.kind == StopKind.PICKUP:
        return "producer"
    if stop.pickup_place is not None:
        return stop.pickup_place.kind.value
    return "door"


def _stop(stop: TourStop, lookup: _Lookup) -> dict:
    kind = _stop_kind(stop)
    orders = [link.order_id for link in stop.orders]
    if kind == "hub":
        place_id, producers = stop.hub_place_id, []
    elif kind == "producer":
        place_id = db.session.get(Producer, stop.producer_id).place_id
        orders, producers = sorted(g.order_id for g in stop.goods), [stop.producer_id]
    elif kind == "door":
        order = stop.orders[0].order if stop.orders else None
        home = order.resident.home_place_id if order is not None else None
        place_id = lookup.village_near(stop.lat, stop.lon, home)
        producers = sorted({p for o in orders for p in lookup.producers_of.get(o, [])})
    else:
        place_id = stop.pickup_place.place_id
        producers = sorted({p for o in orders for p in lookup.producers_of.get(o, [])})
    window = None
    if stop.window_opens is not None:
        window = [_iso(stop.window_opens), _iso(stop.window_closes)]
    loads = stop.loads
    return {
        "sequence": stop.sequence, "kind": kind, "place_id": place_id,
        "pickup_place_id": stop.pickup_place_id, "producer_id": stop.producer_id,
        "lat": stop.lat, "lon": stop.lon,
        "arrival": _iso(stop.planned_arrival), "departure": _iso(stop.planned_departure), "window": window,
        "pickup": loads if stop.kind == StopKind.PICKUP else dict(_ZERO),
        "delivery": loads if stop.kind == StopKind.DROP else dict(_ZERO),
        "orders": orders, "producers": producers,
    }


def _unserved(day: date, sub_region: SubRegion, lookup: _Lookup) -> list[dict]:
    """The latest finished planning run's unserved stops, with the village and the order ids."""
    entries = list_unserved(get_latest_finished_run(day, sub_region.id), sub_region.id)
    numbers = {n for e in entries for n in e.get("orders", [])}
    ids = dict(db.session.execute(select(Order.number, Order.id).where(Order.number.in_(numbers))).all()) if numbers else {}
    result = []
    for entry in entries:
        stop = entry.get("stop", "")
        result.append({
            "place_id": _place_of_stop_key(stop, lookup),
            "orders": sorted(ids[n] for n in entry.get("orders", []) if n in ids),
            "reason": entry.get("reason"),
        })
    return result


def _place_of_stop_key(key: str, lookup: _Lookup) -> int | None:
    """`pp12`, `prod3`, `door45` (the planner's stop ids) → the village."""
    for prefix, model in (("pp", PickupPlace), ("prod", Producer), ("door", Order)):
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            obj = db.session.get(model, int(key[len(prefix):]))
            if obj is None:
                return None
            if model is Order:
                return lookup.village_near(obj.door_lat, obj.door_lon, obj.resident.home_place_id)
            return obj.place_id
    return None
