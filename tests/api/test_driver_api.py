"""The driver API: tours of a day, a stop confirmed once per client_event_id, the offline batch of events."""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import DriverEvent, StopOutcome, StopState, Tour, TourKind, TourStop
from marketplace.delivery.services import plan_day, publish_tours
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.pickup.models import CompartmentReservation
from tests.api.conftest import token_for
from tests.conftest import NOW
from tests.delivery.day_factories import DAY, east, make_driver, make_order, make_small_day, make_station_at


@pytest.fixture
def day_tour(db, clock):
    """A published distribution tour of three drops (two stations, a door), assigned to its one driver."""
    day = make_small_day()
    orders = [make_order(day, place=make_station_at(day, east(2)), crates={Temperature.AMBIENT: 1}),
              make_order(day, place=make_station_at(day, east(5)), crates={Temperature.AMBIENT: 1}),
              make_order(day, door=east(8), status=OrderStatus.PACKED)]
    driver = make_driver(day.sub_region, "fahrer@example.org")
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=NOW)
    publish_tours(day=DAY, sub_region=day.sub_region, now=NOW)
    db.session.commit()
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    assert tour.driver_id == driver.id and len(tour.visits) == 3
    clock.now = NOW + timedelta(hours=20)  # the delivery day's morning
    return day, tour, orders, driver


def bearer(client, email):
    return {"Authorization": f"Bearer {token_for(client, email)}"}


def at(minutes: int) -> str:
    return (NOW + timedelta(hours=20, minutes=minutes)).isoformat()


def snapshot(db):
    """Everything the driver's events may change, to show that a refused request changed nothing."""
    db.session.expire_all()
    stops = [(s.id, s.state, s.outcome, s.done_at, s.arrived_at) for s in db.session.scalars(select(TourStop))]
    tours = [(t.id, t.started_at, t.ended_at, t.empty_crates_back) for t in db.session.scalars(select(Tour))]
    return (stops, tours, db.session.scalar(select(func.count()).select_from(OrderEvent)),
            db.session.scalar(select(func.count()).select_from(DriverEvent)))


def test_the_driver_gets_their_published_tours_of_the_day_in_the_issues_shape(client, db, day_tour):
    day, tour, orders, driver = day_tour
    body = client.get(f"/api/v1/driver/tours?date={DAY.isoformat()}", headers=bearer(client, driver.email)).get_json()
    [item] = body["items"]
    assert {"id", "vehicle", "trips"} <= set(item) and item["id"] == item["trips"][0]["id"]
    assert item["vehicle"] == {"id": tour.vehicle_id, "name": tour.vehicle.name}
    # The vehicle's collection trip (to the producer) and its distribution trip, in the order they start.
    assert sorted(t["kind"] for t in item["trips"]) == ["collection", "distribution"]
    assert [t["start"] for t in item["trips"]] == sorted(t["start"] for t in item["trips"])
    trip = next(t for t in item["trips"] if t["kind"] == "distribution")
    assert trip["id"] == tour.id
    drops = [s for s in trip["stops"] if s["kind"] == "drop"]
    assert [s["sequence"] for s in trip["stops"]] == sorted(s["sequence"] for s in trip["stops"])
    assert sorted(o for s in drops for o in s["orders"]) == sorted(o.id for o in orders)
    for stop in trip["stops"]:
        assert {"id", "sequence", "kind", "pickup_place_id", "orders"} <= set(stop)
        assert all(type(o) is int for o in stop["orders"])
    door = next(s for s in drops if s["pickup_place_id"] is None)
    assert door["type"] == "door" and door["geo_uri"].startswith("geo:")
    assert door["order_details"][0]["door"]["town"] and door["contact"]["name"] == day.resident.name
    station = next(s for s in drops if s["pickup_place_id"] is not None)
    assert station["type"] == "station" and station["crates"] == {"ambient": 1, "chilled": 0, "frozen": 0}
    assert station["order_details"][0]["goods"][0]["quantity"] == 2
    # Another driver of the same sub-region sees nothing; a coordinator is no driver.
    other = make_driver(day.sub_region, "zweite@example.org")
    db.session.commit()
    assert client.get(f"/api/v1/driver/tours?date={DAY.isoformat()}",
                      headers=bearer(client, other.email)).get_json()["items"] == []


def test_a_malformed_date_is_422_and_a_resident_is_403(client, db, day_tour):
    day, _, _, driver = day_tour
    answer = client.get("/api/v1/driver/tours?date=3.3.2026", headers=bearer(client, driver.email))
    assert answer.status_code == 422 and answer.get_json()["error"] == "invalid_date"
    resident = client.get(f"/api/v1/driver/tours?date={DAY.isoformat()}", headers=bearer(client, day.resident.email))
    assert resident.status_code == 403
    assert client.get(f"/api/v1/driver/tours?date={DAY.isoformat()}").status_code == 401


def test_confirming_a_stop_once_starts_the_tour_and_a_repeat_gets_the_same_answer(client, db, day_tour):
    _, tour, orders, driver = day_tour
    headers = bearer(client, driver.email)
    stop = tour.visits[0]
    order = db.session.get(type(orders[0]), stop.orders[0].order_id)
    compartment = order.pickup_place.compartments[0]
    db.session.add(CompartmentReservation(order_id=order.id, delivery_date=DAY, crate_units=Decimal("1"),
                                          compartment=compartment))
    db.session.commit()
    event_id = str(uuid.uuid4())
    first = client.post(f"/api/v1/driver/stops/{stop.id}/delivered", headers=headers,
                        json={"client_event_id": event_id, "at": at(5)})
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"stop_id": stop.id, "orders": [
        {"id": order.id, "number": order.number, "compartments": [compartment.label]}]}
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).started_at is not None
    assert db.session.get(TourStop, stop.id).state == StopState.DONE
    assert order.status == OrderStatus.DELIVERED
    before = snapshot(db)
    again = client.post(f"/api/v1/driver/stops/{stop.id}/delivered", headers=headers,
                        json={"client_event_id": event_id, "at": at(9)})
    assert again.status_code == 200 and again.get_json() == first.get_json()  # its time is not even read
    assert snapshot(db) == before
    other = client.post(f"/api/v1/driver/stops/{stop.id}/delivered", headers=headers,
                        json={"client_event_id": str(uuid.uuid4()), "at": at(4)})
    assert other.status_code == 409 and other.get_json()["error"] == "already_delivered"
    assert snapshot(db) == before


def test_another_drivers_stop_and_map_are_404_and_nothing_changes(client, db, day_tour):
    day, tour, _, _ = day_tour
    other = make_driver(day.sub_region, "zweite@example.org")
    db.session.commit()
    headers = bearer(client, other.email)
    before = snapshot(db)
    stop = tour.visits[0]
    answer = client.post(f"/api/v1/driver/stops/{stop.id}/delivered", headers=headers,
                         json={"client_event_id": str(uuid.uuid4()), "at": at(5)})
    assert answer.status_code == 404
    assert client.post("/api/v1/driver/stops/999999/delivered", headers=headers,
                       json={"client_event_id": str(uuid.uuid4()), "at": at(5)}).status_code == 404
    assert client.get(f"/api/v1/driver/tours/{tour.id}/map.svg", headers=headers).status_code == 404
    batch = client.post("/api/v1/driver/events", headers=headers, json={"events": [
        {"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": stop.id, "at": at(5)},
        {"client_event_id": str(uuid.uuid4()), "kind": "tour_started", "tour_id": tour.id, "at": at(1)}]})
    assert [(r["status"], r["reason"]) for r in batch.get_json()["results"]] == [
        ("rejected", "unknown_stop"), ("rejected", "unknown_tour")]
    assert snapshot(db)[:3] == before[:3]


@pytest.mark.parametrize("body", [
    {"client_event_id": "not-a-uuid", "at": "2026-03-03T07:00:00+01:00"},
    {"client_event_id": str(uuid.uuid4()), "at": "2026-03-03T07:00:00"},
    {"client_event_id": str(uuid.uuid4()), "at": "gestern"},
    {"client_event_id": str(uuid.uuid4()), "at": 1772521200},
    {"client_event_id": str(uuid.uuid4())},
    {"client_event_id": str(uuid.uuid4()), "at": "2026-03-03T09:00:00Z", "extra": 1},
])
def test_bad_input_at_the_stop_is_422_and_changes_nothing(client, db, day_tour, body):
    _, tour, _, driver = day_tour
    before = snapshot(db)
    answer = client.post(f"/api/v1/driver/stops/{tour.visits[0].id}/delivered", headers=bearer(client, driver.email),
                         json=body)
    assert answer.status_code == 422 and answer.get_json()["error"] == "invalid_input"
    assert snapshot(db) == before


def test_a_stop_event_too_far_in_the_future_is_422(client, db, day_tour):
    _, tour, _, driver = day_tour
    before = snapshot(db)
    answer = client.post(f"/api/v1/driver/stops/{tour.visits[0].id}/delivered", headers=bearer(client, driver.email),
                         json={"client_event_id": str(uuid.uuid4()), "at": at(6)})
    assert answer.status_code == 422 and answer.get_json()["error"] == "event_in_future"
    assert snapshot(db) == before


def test_late_events_are_applied_in_the_order_of_their_time_and_once(client, db, day_tour):
    _, tour, orders, driver = day_tour
    headers = bearer(client, driver.email)
    first, second, third = tour.visits
    events = [  # sent in another order than they happened
        {"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": second.id, "at": at(-20)},
        {"client_event_id": str(uuid.uuid4()), "kind": "arrived", "stop_id": first.id, "at": at(-50)},
        {"client_event_id": str(uuid.uuid4()), "kind": "tour_started", "tour_id": tour.id, "at": at(-60)},
        {"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": first.id, "at": at(-40)},
    ]
    answer = client.post("/api/v1/driver/events", headers=headers, json={"events": events})
    assert answer.status_code == 200
    assert [r["status"] for r in answer.get_json()["results"]] == ["applied"] * 4
    assert [r["client_event_id"] for r in answer.get_json()["results"]] == [e["client_event_id"] for e in events]
    db.session.expire_all()
    stored = db.session.get(Tour, tour.id)
    assert stored.started_at.isoformat() == at(-60)  # the start came first although sent third
    assert db.session.get(TourStop, first.id).arrived_at.isoformat() == at(-50)
    assert db.session.get(TourStop, second.id).done_at.isoformat() == at(-20)
    before = snapshot(db)
    again = client.post("/api/v1/driver/events", headers=headers, json={"events": events})
    assert [r["status"] for r in again.get_json()["results"]] == ["duplicate"] * 4
    assert snapshot(db) == before
    # The third stop's arrival is re-estimated from the second's actual time.
    late = db.session.get(TourStop, third.id)
    from marketplace.delivery.queries import estimate_arrivals

    shift = db.session.get(TourStop, second.id).done_at - db.session.get(TourStop, second.id).planned_departure
    expected = late.planned_arrival + shift
    assert estimate_arrivals(stored)[third.id] == (max(expected, late.window_opens) if late.window_opens else expected)


def test_events_that_no_longer_fit_are_rejected_with_a_reason_and_change_nothing(client, db, day_tour):
    _, tour, _, driver = day_tour
    headers = bearer(client, driver.email)
    first, second, _ = tour.visits
    client.post("/api/v1/driver/events", headers=headers, json={"events": [
        {"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": first.id, "at": at(-30)}]})
    before = snapshot(db)
    rejected_id = str(uuid.uuid4())
    answer = client.post("/api/v1/driver/events", headers=headers, json={"events": [
        {"client_event_id": rejected_id, "kind": "delivered", "stop_id": first.id, "at": at(-10)},
        {"client_event_id": str(uuid.uuid4()), "kind": "failed", "stop_id": second.id, "at": at(-9)},
        {"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": 999999, "at": at(-8)},
        {"client_event_id": str(uuid.uuid4()), "kind": "arrived", "stop_id": second.id,
         "at": (NOW - timedelta(hours=1)).isoformat()},
        {"client_event_id": str(uuid.uuid4()), "kind": "tour_ended", "tour_id": tour.id, "at": at(-60)},
    ]}).get_json()["results"]
    assert [(r["status"], r["reason"]) for r in answer] == [
        ("rejected", "already_delivered"), ("rejected", "reason_required"), ("rejected", "unknown_stop"),
        ("rejected", "before_publication"), ("rejected", "tour_not_started")]
    assert all(r["detail"] for r in answer)
    assert snapshot(db)[:3] == before[:3]
    # Sent again, a rejected event stays rejected with its reason (it never applied).
    repeat = client.post("/api/v1/driver/events", headers=headers, json={"events": [
        {"client_event_id": rejected_id, "kind": "delivered", "stop_id": first.id, "at": at(-10)}]})
    assert repeat.get_json()["results"][0]["status"] == "rejected"
    assert repeat.get_json()["results"][0]["reason"] == "already_delivered"


@pytest.mark.parametrize("event", [
    {"kind": "teleported", "stop_id": 1, "at": "2026-03-03T07:00:00+01:00"},
    {"kind": "delivered", "stop_id": 1, "at": "2026-03-03 07:00"},
    {"kind": "delivered", "stop_id": "1", "at": "2026-03-03T07:00:00+01:00"},
    {"kind": "tour_started", "stop_id": 1, "at": "2026-03-03T07:00:00+01:00"},
    {"kind": "tour_ended", "tour_id": 1, "at": "2026-03-03T07:00:00+01:00", "empty_crates": -1},
    {"kind": "delivered", "stop_id": 1, "at": "2027-01-01T07:00:00+01:00"},
])
def test_a_batch_with_one_bad_event_is_422_and_changes_nothing(client, db, day_tour, event):
    _, tour, _, driver = day_tour
    before = snapshot(db)
    good = {"client_event_id": str(uuid.uuid4()), "kind": "tour_started", "tour_id": tour.id, "at": at(-5)}
    answer = client.post("/api/v1/driver/events", headers=bearer(client, driver.email),
                         json={"events": [good, {"client_event_id": str(uuid.uuid4()), **event}]})
    assert answer.status_code == 422 and answer.get_json()["error"] in {"invalid_input", "event_in_future"}
    assert snapshot(db) == before
    assert client.post("/api/v1/driver/events", headers=bearer(client, driver.email),
                       json={"events": "nope"}).status_code == 422


def test_partly_failed_and_the_end_of_the_tour_bring_back_what_was_not_handed_over(client, db, day_tour):
    _, tour, orders, driver = day_tour
    headers = bearer(client, driver.email)
    first, second, third = tour.visits
    results = client.post("/api/v1/driver/events", headers=headers, json={"events": [
        {"client_event_id": str(uuid.uuid4()), "kind": "tour_started", "tour_id": tour.id, "at": at(-90)},
        {"client_event_id": str(uuid.uuid4()), "kind": "partly_delivered", "stop_id": first.id, "at": at(-80),
         "note": "Eier zerbrochen", "returned_orders": []},
        {"client_event_id": str(uuid.uuid4()), "kind": "failed", "stop_id": second.id, "at": at(-70),
         "note": "Station gesperrt"},
        {"client_event_id": str(uuid.uuid4()), "kind": "tour_ended", "tour_id": tour.id, "at": at(-10),
         "empty_crates": 4, "note": "Kisten von Halt 2 zurück"},
    ]}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 4, results
    db.session.expire_all()
    by_stop = {link.stop_id: link.order for s in (first, second, third) for link in db.session.get(TourStop, s.id).orders}
    assert by_stop[first.id].status == OrderStatus.DELIVERED
    assert by_stop[second.id].status == OrderStatus.RETURNED
    assert by_stop[third.id].status == OrderStatus.RETURNED  # never reached before the tour ended
    assert db.session.get(TourStop, first.id).outcome == StopOutcome.PARTLY
    assert db.session.get(TourStop, second.id).problem_note == "Station gesperrt"
    assert db.session.get(TourStop, third.id).outcome == StopOutcome.FAILED
    ended = db.session.get(Tour, tour.id)
    assert ended.empty_crates_back == 4 and ended.returns_note == "Kisten von Halt 2 zurück"


def test_the_coordinator_polls_progress_and_the_resident_sees_the_expected_time(client, db, day_tour, clock):
    from tests.conftest import csrf_token_from, login
    from tests.delivery.day_factories import make_coordinator
    from tests.factories import TEST_PASSWORD

    day, tour, orders, driver = day_tour
    coordinator = make_coordinator(day.sub_region, "koord@example.org")
    db.session.commit()
    first = tour.visits[0]
    late = db.session.scalar(select(TourStop).where(TourStop.id == tour.visits[1].id))
    clock.now = first.planned_arrival + timedelta(minutes=45)
    client.post("/api/v1/driver/events", headers=bearer(client, driver.email), json={"events": [
        {"client_event_id": str(uuid.uuid4()), "kind": "arrived", "stop_id": first.id,
         "at": (first.planned_arrival + timedelta(minutes=40)).isoformat()}]})
    login(client, coordinator.email, TEST_PASSWORD)
    body = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}/progress").get_json()
    [progress] = [t for t in body["tours"] if t["id"] == tour.id]
    assert progress["state"] == "started" and progress["done"] == 0 and progress["stops"] == 3
    assert progress["delay_minutes"] == 40
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert f'data-progress-for="{tour.id}"' in html and "tour-progress.js" in html
    order_id = late.orders[0].order_id
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/delivery/")})
    login(client, day.resident.email, TEST_PASSWORD)
    page = client.get(f"/bestellungen/{order_id}").get_data(as_text=True)
    expected = late.planned_arrival + timedelta(minutes=40)
    from marketplace.core.clock import to_local

    assert 'id="expected-arrival"' in page and to_local(expected).strftime("%H:%M") in page


def test_another_sub_regions_coordinator_gets_no_progress(client, db, day_tour):
    from tests.conftest import login
    from tests.delivery.day_factories import make_coordinator
    from tests.factories import TEST_PASSWORD, make_sub_region

    day, _, _, _ = day_tour
    stranger = make_coordinator(make_sub_region(), "fremd@example.org")
    db.session.commit()
    login(client, stranger.email, TEST_PASSWORD)
    assert client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}/progress").status_code == 404
