"""What the driver's phone keeps of a day: each tour with its trips and stops as JSON, and the route map."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask_babel import gettext as _

from marketplace.delivery import queries
from marketplace.delivery.models import StopKind, Tour, TourKind, TourStop
from marketplace.delivery.svg_map import MapStop, MapTour, render_map


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def stop_type(stop: TourStop) -> str:
    """hub, producer, station, sales_point or door (the words of `tours plan --json`)."""
    if stop.kind == StopKind.DEPOT:
        return "hub"
    if stop.kind == StopKind.PICKUP:
        return "producer"
    return stop.pickup_place.kind.value if stop.pickup_place is not None else "door"


def village_of(stop: TourStop) -> str:
    """The village name the map and the phone show for a stop."""
    if stop.hub_place is not None:
        return stop.hub_place.name
    if stop.pickup_place is not None:
        return stop.pickup_place.place.name
    if stop.producer is not None:
        return stop.producer.place.name
    towns = [link.order.door_town for link in stop.orders if link.order.door_town]
    return towns[0] if towns else stop.label


def geo_uri(stop: TourStop) -> str:
    """A `geo:` URI that opens the phone's own navigation app at the stop."""
    return f"geo:{stop.lat:.6f},{stop.lon:.6f}?q={stop.lat:.6f},{stop.lon:.6f}({quote(stop.label)})"


def _contact(stop: TourStop) -> dict | None:
    if stop.pickup_place is not None and (stop.pickup_place.contact_name or stop.pickup_place.contact_phone):
        return {"name": stop.pickup_place.contact_name, "phone": stop.pickup_place.contact_phone}
    if stop.producer is not None:
        return {"name": stop.producer.name, "phone": stop.producer.phone}
    if stop.is_door and stop.orders:
        resident = stop.orders[0].order.resident
        return {"name": resident.name, "phone": resident.phone}
    return None


def _orders(stop: TourStop, loading: dict[str, object]) -> list[dict]:
    result = []
    for link in stop.orders:
        order = link.order
        listed = loading.get(order.number)
        door = None
        if stop.is_door:
            door = {"street": order.door_street, "postcode": order.door_postcode, "town": order.door_town,
                    "window": order.door_window}
        result.append({
            "id": order.id, "number": order.number, "resident": order.resident.name, "crates": link.loads,
            "compartments": listed.compartments if listed else [], "door": door,
            "goods": [{"producer": producer, "product": name, "quantity": qty, "temperature": temp}
                      for producer, items in (listed.goods if listed else []) for name, qty, temp in items],
        })
    return result


def _stop(stop: TourStop, expected: dict[int, datetime], loading: dict[str, object]) -> dict:
    window = [_iso(stop.window_opens), _iso(stop.window_closes)] if stop.window_opens else None
    return {
        "id": stop.id, "sequence": stop.sequence, "kind": stop.kind.value,
        "pickup_place_id": stop.pickup_place_id, "orders": [link.order_id for link in stop.orders],
        "type": stop_type(stop), "label": stop.label, "village": village_of(stop), "address": stop.address,
        "lat": stop.lat, "lon": stop.lon, "geo_uri": geo_uri(stop),
        "planned_arrival": _iso(stop.planned_arrival), "expected_arrival": _iso(expected.get(stop.id)),
        "window": window, "crates": stop.loads, "contact": _contact(stop),
        "state": stop.state.value, "outcome": stop.outcome.value if stop.outcome else None,
        "arrived_at": _iso(stop.arrived_at), "done_at": _iso(stop.done_at), "note": stop.problem_note or "",
        "order_details": _orders(stop, loading),
    }


def _state(trip: Tour) -> str:
    return "ended" if trip.ended_at else "started" if trip.started_at else "published"


def serialize_driver_tour(trips: list[Tour]) -> dict:
    """One vehicle's trips of the day as the phone keeps them (`GET /api/v1/driver/tours`).

    The tour's `id` is its first trip's row, as in `tours plan --json`; each trip has its own `id`
    for `tour_started` and `tour_ended`.
    """
    first = trips[0]
    body = {"id": first.id, "date": first.delivery_date.isoformat(),
            "vehicle": {"id": first.vehicle.id, "name": first.vehicle.name},
            "sub_region": {"id": first.sub_region.id, "name": first.sub_region.name},
            "driver_id": first.driver_id, "trips": []}
    for trip in trips:
        expected = queries.estimate_arrivals(trip)
        loading = {}
        if trip.kind == TourKind.DISTRIBUTION:
            for listed_stop in queries.get_loading_list(trip)[0]:
                loading.update({o.number: o for o in listed_stop.orders})
        body["trips"].append({
            "id": trip.id, "kind": trip.kind.value, "state": _state(trip),
            "start": _iso(trip.starts_at), "end": _iso(trip.ends_at),
            "started_at": _iso(trip.started_at), "ended_at": _iso(trip.ended_at),
            "empty_crates_back": trip.empty_crates_back, "km": round(trip.km, 1),
            "crates": trip.loads, "map_url": f"/api/v1/driver/tours/{trip.id}/map.svg",
            "stops": [_stop(s, expected, loading) for s in trip.stops],
        })
    return body


def driver_map_svg(trip: Tour) -> str:
    """The trip on the server-drawn map, villages named, the next stop highlighted."""
    following = queries.get_current_stop(trip)
    depot = trip.stops[0] if trip.stops else None
    hub = (depot.lat, depot.lon) if depot is not None else (0.0, 0.0)
    stops = tuple(MapStop(s.lat, s.lon, s.label, s.sequence, stop_id=s.id,
                          highlight=following is not None and s.id == following.id, caption=village_of(s))
                  for s in trip.visits)
    tours = [MapTour(name=trip.vehicle.name, hub=hub, stops=stops, dashed=trip.kind == TourKind.COLLECTION)]
    return render_map(tours if depot is not None else [], hub_label=_("Lager"),
                      title=_("Route von %(vehicle)s", vehicle=trip.vehicle.name),
                      description=_("%(n)s Halte in Fahrtreihenfolge; der nächste Halt ist gelb.",
                                    n=len(stops)), width=390, height=420)
