"""The driver's phone sending the same events several times at once, with real commits: each applies once."""
from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.catalog.models import Temperature
from marketplace.delivery.models import DriverEvent, Tour, TourKind, TourStop
from marketplace.delivery.services import plan_day, publish_tours
from marketplace.extensions import db
from marketplace.orders.models import OrderEvent
from tests.api.conftest import token_for
from tests.conftest import NOW
from tests.delivery.day_factories import DAY, east, make_driver, make_order, make_small_day, make_station_at

CALLERS = 6
LATER = NOW + timedelta(hours=20)


@pytest.fixture
def threaded_app(database_url, db):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CALLERS, "max_overflow": 0, "pool_timeout": 60})
    app.config["LANDKORB_CLOCK"] = lambda: LATER
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def tour_and_token(client, db):
    day = make_small_day()
    for km in (2, 5):
        make_order(day, place=make_station_at(day, east(km)), crates={Temperature.AMBIENT: 1})
    driver = make_driver(day.sub_region, "fahrer@example.org")
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=NOW)
    publish_tours(day=DAY, sub_region=day.sub_region, now=NOW)
    db.session.commit()
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    ids = tour.id, [s.id for s in tour.visits]
    token = token_for(client, driver.email)
    db.session.commit()  # nothing left open: on SQLite it would hold the write lock
    return ids, token


def _fire(app, token, requests: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    barrier = Barrier(len(requests))

    def run(request):
        path, body = request
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests, timeout=120))


def _counts():
    db.session.expire_all()
    counts = (db.session.scalar(select(func.count()).select_from(DriverEvent)),
              db.session.scalar(select(func.count()).select_from(OrderEvent)))
    db.session.commit()
    return counts


def test_one_batch_sent_at_once_many_times_applies_once(threaded_app, tour_and_token):
    (tour_id, stops), token = tour_and_token
    events = [{"client_event_id": str(uuid.uuid4()), "kind": "tour_started", "tour_id": tour_id,
               "at": (LATER - timedelta(minutes=30)).isoformat()}]
    events += [{"client_event_id": str(uuid.uuid4()), "kind": "delivered", "stop_id": stop_id,
                "at": (LATER - timedelta(minutes=20 - n)).isoformat()} for n, stop_id in enumerate(stops)]
    results = _fire(threaded_app, token, [("/api/v1/driver/events", {"events": events})] * CALLERS)
    assert {status for status, _ in results} == {200}
    per_event = Counter((r["client_event_id"], r["status"]) for _, body in results for r in body["results"])
    for event in events:
        assert per_event[(event["client_event_id"], "applied")] == 1
        assert per_event[(event["client_event_id"], "duplicate")] == CALLERS - 1
    driver_events, _ = _counts()
    assert driver_events == len(events)


def test_one_stop_confirmed_at_once_with_one_id_and_with_many(threaded_app, tour_and_token):
    (_, stops), token = tour_and_token
    same = {"client_event_id": str(uuid.uuid4()), "at": (LATER - timedelta(minutes=5)).isoformat()}
    results = _fire(threaded_app, token, [(f"/api/v1/driver/stops/{stops[0]}/delivered", same)] * CALLERS)
    assert {status for status, _ in results} == {200}
    assert len({repr(body) for _, body in results}) == 1  # the identical answer every time
    before = _counts()
    others = [(f"/api/v1/driver/stops/{stops[1]}/delivered",
               {"client_event_id": str(uuid.uuid4()), "at": (LATER - timedelta(minutes=4)).isoformat()})
              for _ in range(CALLERS)]
    results = _fire(threaded_app, token, others)
    statuses = Counter(status for status, _ in results)
    assert statuses[200] == 1 and statuses[409] == CALLERS - 1
    assert {body["error"] for status, body in results if status == 409} == {"already_delivered"}
    after = _counts()
    assert after[0] == before[0] + 1
    db.session.expire_all()
    assert db.session.get(TourStop, stops[1]).done_at is not None
    db.session.commit()
