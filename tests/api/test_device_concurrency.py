"""Concurrent locker requests with real commits: a code opens once, the lock holds, a nonce counts once."""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.pickup.codes import issue_pickup_code
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import KeypadMiss
from marketplace.pickup.signature import signed_headers
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.helpers import make_station_order

CALLERS = 12


@pytest.fixture
def threaded_app(database_url, db):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CALLERS, "max_overflow": 0, "pool_timeout": 60})
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def station_with_code(db):
    station = f.make_station()
    key = issue_device_key(station, now=NOW)
    order = make_station_order(station)
    code = issue_pickup_code(order, now=NOW, expires_at=NOW + timedelta(days=1))
    ids = station.id, order.id
    db.session.commit()  # nothing left open: on SQLite it would hold the write lock
    return ids, key, code


def _fire(app, station_id: int, requests: list[tuple[bytes, dict]]) -> list[tuple[int, dict]]:
    path = f"/api/v1/devices/stations/{station_id}/pickups"
    barrier = Barrier(len(requests))

    def run(request):
        body, headers = request
        client = app.test_client()
        barrier.wait(timeout=30)
        response = client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})
        return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests, timeout=120))


def _signed(station_id, key, code, nonce=None):
    body = json.dumps({"code": code}).encode()
    path = f"/api/v1/devices/stations/{station_id}/pickups"
    return body, signed_headers(key, station_id, "POST", path, body, now=NOW, nonce=nonce)


def test_one_code_typed_at_once_by_many_opens_once(threaded_app, station_with_code):
    (station_id, order_id), key, code = station_with_code
    results = _fire(threaded_app, station_id, [_signed(station_id, key, code) for _ in range(CALLERS)])
    statuses = Counter(status for status, _ in results)
    # The others typed a used code: misses, so after ten of them the keypad locks.
    assert statuses[200] == 1 and statuses[404] + statuses[423] == CALLERS - 1 and statuses[404] >= 10
    db.session.expire_all()
    events = db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order_id)).all()
    assert [e.to_status for e in events] == [OrderStatus.PICKED_UP]


def test_concurrent_wrong_codes_never_get_past_the_lock(threaded_app, station_with_code):
    (station_id, _), key, code = station_with_code
    wrong = [f"{(int(code) + 1 + i) % 10**8:08d}" for i in range(CALLERS + 3)]
    results = _fire(threaded_app, station_id, [_signed(station_id, key, w) for w in wrong])
    statuses = Counter(status for status, _ in results)
    assert statuses == {404: 10, 423: CALLERS + 3 - 10}
    assert sorted(body["attempts_left"] for status, body in results if status == 404) == list(range(10))
    assert db.session.scalar(select(func.count()).select_from(KeypadMiss)) == 10


def test_one_nonce_sent_at_once_is_accepted_once(threaded_app, station_with_code):
    (station_id, _), key, code = station_with_code
    request = _signed(station_id, key, "00000000" if code != "00000000" else "00000001", nonce="same-nonce-0123456789")
    results = _fire(threaded_app, station_id, [request] * 6)
    assert Counter((status, body["error"]) for status, body in results) == {
        (404, "unknown_code"): 1, (401, "replayed_nonce"): 5,
    }
    assert db.session.scalar(select(func.count()).select_from(KeypadMiss)) == 1
