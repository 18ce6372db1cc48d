"""An independent check of a stored delivery day, written apart from the planner on purpose.

It reads the day's plan as `tours plan --json` prints it and the facts straight from the
database (orders and their lines, vehicles, the schedule, who drops off, sales points' hours,
door windows), and knows the rules of the delivery day on its own:

- a vehicle has one trip at a time, all inside its shift;
- along every trip, pickups fill the van and deliveries empty it: never below zero, never above
  its room per class (chilled room may take ambient crates, frozen room only frozen ones), and
  empty again at the hub;
- an order takes whole crates per temperature class (rounded up per order and class); a
  producer's goods for an order are rounded the same way at the producer;
- an order's distribution trip leaves the hub only after the goods of each of its producers are
  there: dropped off by the drop-off time (a producer who drops off at that hub), or collected
  by a trip that is back;
- windows (a sales point's opening hours, a door's chosen window) and no faster driving than
  the straight line allows;
- every confirmed or packed order of the day is on exactly one stop or reported unserved.

It shares no code with `marketplace.delivery.services.planning` or the routing package.
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from geopy.distance import geodesic
from sqlalchemy import select

from marketplace.core.clock import LOCAL_TZ
from marketplace.delivery.models import ProducerDropoff, Vehicle
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderStatus
from marketplace.pickup.models import SalesPoint
from marketplace.regions.models import SubRegion

CLASSES = ("ambient", "chilled", "frozen")
# No van is faster than the straight line at this speed (the planner drives 45 km/h on roads
# 1.3 times longer than the straight line).
TOP_SPEED_M_PER_S = 45 / 3.6 * 1.3 * 1.01
SLACK = timedelta(seconds=2)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _whole_crates(lines) -> dict[str, int]:
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        exact[line.temperature.value] += Decimal(line.crate_units) * line.quantity
    return {c: math.ceil(exact[c]) for c in CLASSES}


def fits(load: dict[str, int], room: dict[str, int]) -> bool:
    return (load["chilled"] <= room["chilled"] and load["frozen"] <= room["frozen"]
            and load["ambient"] + load["chilled"] <= room["ambient"] + room["chilled"])


class _Facts:
    """What the database says about one sub-region's day, read without the planner."""

    def __init__(self, day: date, sub_region: SubRegion):
        self.orders = {o.id: o for o in sub_region_orders(day, sub_region)}
        self.crates = {o.id: _whole_crates(o.lines) for o in self.orders.values()}
        self.goods: dict[tuple[int, int], dict[str, int]] = {}
        self.producers_of: dict[int, set[int]] = defaultdict(set)
        for order in self.orders.values():
            by_producer = defaultdict(list)
            for line in order.lines:
                by_producer[line.producer_order.producer_id].append(line)
            for producer_id, lines in by_producer.items():
                self.goods[(order.id, producer_id)] = _whole_crates(lines)
                self.producers_of[order.id].add(producer_id)
        self.vehicles = {v.id: v for v in sub_region_vehicles(sub_region)}
        schedule = sub_region.schedule
        self.dropoff_by = (datetime.combine(day, schedule.dropoff_by, tzinfo=LOCAL_TZ)
                           if schedule is not None and schedule.dropoff_by else None)
        self.dropping = set(db.session.scalars(select(ProducerDropoff.producer_id).where(
            ProducerDropoff.sub_region_id == sub_region.id)))
        self.day = day


def sub_region_orders(day: date, sub_region: SubRegion):
    return db.session.scalars(select(Order).where(
        Order.delivery_date == day, Order.sub_region_id == sub_region.id,
        Order.status.in_((OrderStatus.CONFIRMED, OrderStatus.PACKED))).order_by(Order.id)).all()


def sub_region_vehicles(sub_region: SubRegion):
    return db.session.scalars(select(Vehicle).where(Vehicle.sub_region_id == sub_region.id)).all()


def check_day(plan: dict, sub_regions: list[SubRegion]) -> list[str]:
    """Every broken rule of the day's plan, as sentences; an empty list when the plan holds."""
    day = date.fromisoformat(plan["date"])
    by_slug = {s.slug: s for s in sub_regions}
    problems: list[str] = []
    for entry in plan["sub_regions"]:
        problems += _check_sub_region(entry, _Facts(day, by_slug[entry["slug"]]))
    return problems


def _check_sub_region(entry: dict, facts: _Facts) -> list[str]:
    problems: list[str] = []
    said = problems.append
    if facts.dropoff_by is None and entry["dropoff_producers"]:
        said("producers are said to drop off, but the sub-region has no drop-off time")
    for producer_id in entry["dropoff_producers"]:
        if producer_id not in facts.dropping:
            said(f"producer {producer_id} is said to drop off but is not set to drop off here")
    # Where and when each order's goods reach the hub: collection trips that are back.
    collected_at: dict[tuple[int, int], datetime] = {}
    delivered: dict[int, int] = defaultdict(int)
    vehicle_trips: dict[int, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for tour in entry["tours"]:
        vehicle = facts.vehicles.get(tour["vehicle"]["id"])
        if vehicle is None:
            said(f"tour {tour['id']}: vehicle {tour['vehicle']['id']} is not one of the sub-region's")
            continue
        room = vehicle.capacities
        for trip in tour["trips"]:
            label = f"tour {tour['id']} {trip['kind']} trip at {trip['start']}"
            vehicle_trips[vehicle.id].append((_t(trip["start"]), _t(trip["end"]), label))
            problems += _check_trip(trip, label, room, vehicle, facts)
            if trip["kind"] == "collection":
                for stop in trip["stops"][1:-1]:
                    for order_id in stop["orders"]:
                        collected_at[(order_id, stop["producer_id"])] = _t(trip["end"])
    for trips in vehicle_trips.values():
        trips.sort()
        for (_, end, first), (start, _, second) in zip(trips, trips[1:], strict=False):
            if start < end:
                said(f"{second} starts before {first} is back ({end.isoformat()}): two trips at once")
    for tour in entry["tours"]:
        for trip in tour["trips"]:
            if trip["kind"] != "distribution":
                continue
            leaves = _t(trip["start"])
            for stop in trip["stops"][1:-1]:
                for order_id in stop["orders"]:
                    delivered[order_id] += 1
                    for producer_id in facts.producers_of.get(order_id, ()):
                        there = collected_at.get((order_id, producer_id))
                        if there is None and producer_id in entry["dropoff_producers"]:
                            there = facts.dropoff_by
                        if there is None:
                            said(f"order {order_id}: the goods of producer {producer_id} never reach the hub")
                        elif leaves < there:
                            said(f"order {order_id} leaves the hub at {leaves.isoformat()}, before the goods "
                                 f"of producer {producer_id} are there ({there.isoformat()})")
    unserved = {o for u in entry["unserved"] for o in u["orders"]}
    for order_id in facts.orders:
        if delivered.get(order_id, 0) > 1:
            said(f"order {order_id} is delivered {delivered[order_id]} times")
        if not delivered.get(order_id) and order_id not in unserved:
            said(f"order {order_id} is neither on a tour nor reported unserved")
    for order_id in set(delivered) - set(facts.orders):
        said(f"order {order_id} is on a tour but not a confirmed or packed order of the day")
    return problems


def _check_trip(trip: dict, label: str, room: dict, vehicle: Vehicle, facts: _Facts) -> list[str]:
    problems: list[str] = []
    said = problems.append
    stops = trip["stops"]
    if len(stops) < 3 or stops[0]["kind"] != "hub" or stops[-1]["kind"] != "hub":
        return [f"{label}: does not start and end at the hub with a stop between"]
    shift_start = datetime.combine(facts.day, vehicle.shift_start, tzinfo=LOCAL_TZ)
    shift_end = datetime.combine(facts.day, vehicle.shift_end, tzinfo=LOCAL_TZ)
    if _t(trip["start"]) < shift_start or _t(trip["end"]) > shift_end:
        said(f"{label}: outside the shift {vehicle.shift_start}-{vehicle.shift_end}")
    if _t(stops[0]["departure"]) != _t(trip["start"]) or _t(stops[-1]["arrival"]) != _t(trip["end"]):
        said(f"{label}: its start and end are not its hub stops' times")
    on_board = dict.fromkeys(CLASSES, 0)
    for before, stop in zip([None, *stops], stops, strict=False):
        arrival, departure = _t(stop["arrival"]), _t(stop["departure"])
        if departure < arrival:
            said(f"{label}, stop {stop['sequence']}: leaves before it arrives")
        if before is not None:
            metres = geodesic((before["lat"], before["lon"]), (stop["lat"], stop["lon"])).meters
            if arrival + SLACK < _t(before["departure"]) + timedelta(seconds=metres / TOP_SPEED_M_PER_S):
                said(f"{label}, stop {stop['sequence']}: reached faster than the road allows")
        for c in CLASSES:
            on_board[c] += stop["pickup"][c] - stop["delivery"][c]
        if min(on_board.values()) < 0:
            said(f"{label}, stop {stop['sequence']}: delivers what is not on board ({on_board})")
        if not fits(on_board, room):
            said(f"{label}, stop {stop['sequence']}: carries {on_board}, more than the room {room}")
        if stop["kind"] != "hub":
            problems += _check_visit(stop, label, trip["kind"], facts)
    if any(on_board.values()):
        said(f"{label}: comes back with {on_board} on board")
    return problems


def _check_visit(stop: dict, label: str, kind: str, facts: _Facts) -> list[str]:
    problems: list[str] = []
    said = problems.append
    where = f"{label}, stop {stop['sequence']}"
    arrival, departure = _t(stop["arrival"]), _t(stop["departure"])
    if kind == "collection":
        if stop["kind"] != "producer" or any(stop["delivery"].values()):
            said(f"{where}: a collection trip only fetches at producers")
        expected = dict.fromkeys(CLASSES, 0)
        for order_id in stop["orders"]:
            goods = facts.goods.get((order_id, stop["producer_id"]))
            if goods is None:
                said(f"{where}: order {order_id} has no goods of producer {stop['producer_id']}")
                continue
            for c in CLASSES:
                expected[c] += goods[c]
        if stop["pickup"] != expected:
            said(f"{where}: fetches {stop['pickup']}, the orders' goods are {expected} in whole crates")
        return problems
    if stop["kind"] == "producer" or any(stop["pickup"].values()):
        said(f"{where}: a distribution trip only hands over")
    expected = dict.fromkeys(CLASSES, 0)
    for order_id in stop["orders"]:
        order = facts.orders.get(order_id)
        if order is None:
            continue
        for c in CLASSES:
            expected[c] += facts.crates[order_id][c]
        if order.fulfilment == Fulfilment.DOOR:
            if stop["kind"] != "door" or len(stop["orders"]) != 1:
                said(f"{where}: door order {order_id} is not alone at a door stop")
            window = order.door_window
            if window:
                opens, closes = (datetime.combine(facts.day, datetime.strptime(p.strip(), "%H:%M").time(),
                                                  tzinfo=LOCAL_TZ) for p in window.replace("–", "-").split("-"))
                if max(arrival, opens) > closes or departure < opens:
                    said(f"{where}: door order {order_id} served outside its window {window}")
        else:
            if stop["pickup_place_id"] != order.pickup_place_id:
                said(f"{where}: order {order_id} belongs to pickup place {order.pickup_place_id}")
            place = order.pickup_place
            if isinstance(place, SalesPoint):
                hours = [h for h in place.opening_hours if h.weekday == facts.day.isoweekday()]
                if not any(datetime.combine(facts.day, h.opens, tzinfo=LOCAL_TZ) <= departure
                           <= datetime.combine(facts.day, h.closes, tzinfo=LOCAL_TZ) for h in hours):
                    said(f"{where}: sales point {place.id} is closed while the van unloads")
    if stop["delivery"] != expected:
        said(f"{where}: hands over {stop['delivery']}, its orders are {expected} in whole crates")
    if stop["window"] is not None:
        opens, closes = (_t(x) for x in stop["window"])
        if max(arrival, opens) > closes:
            said(f"{where}: service starts after its window closes")
    return problems


def check_stored_day(day: date, sub_region: SubRegion, run=None) -> list[str]:
    """`check_day` on the stored plan of one sub-region; `run`: take its unserved stops (a run
    the test did not mark finished)."""
    from marketplace.delivery.day_plan import get_day_plan

    plan = get_day_plan(day, [sub_region])
    if run is not None:
        numbers = {n for u in run.unserved if u["sub_region_id"] == sub_region.id for n in u["orders"]}
        ids = dict(db.session.execute(select(Order.number, Order.id).where(Order.number.in_(numbers))).all()) if numbers else {}
        for entry in plan["sub_regions"]:
            entry["unserved"] = [{"place_id": None, "orders": [ids[n] for n in u["orders"]], "reason": u["reason"]}
                                 for u in run.unserved if u["sub_region_id"] == sub_region.id]
    return check_day(plan, [sub_region])
