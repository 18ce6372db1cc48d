"""POST /api/v1/devices/stations/{id}/pickups: signed by the station, a code opens once, guesses lock."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.pickup.codes import issue_pickup_code
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import CompartmentReservation, CompartmentState, DeviceNonce, KeypadMiss
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.device_client import device_post
from tests.pickup.helpers import make_station_order


@pytest.fixture
def setup(app, db):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    station = f.make_station()
    key = issue_device_key(station, now=NOW)
    order = make_station_order(station)
    compartment = station.compartments[1]
    compartment.state = CompartmentState.OCCUPIED
    db.session.add(CompartmentReservation(compartment=compartment, order_id=order.id,
                                          delivery_date=order.delivery_date, crate_units=1))
    code = issue_pickup_code(order, now=NOW, expires_at=NOW + timedelta(days=1))
    db.session.commit()
    yield station, key, order, code
    app.config.pop("LANDKORB_CLOCK", None)


def _counts():
    return (
        db.session.scalar(select(func.count()).select_from(KeypadMiss)),
        db.session.scalar(select(func.count()).select_from(DeviceNonce)),
        db.session.scalar(select(func.count()).select_from(OrderEvent)),
    )


def test_a_valid_code_opens_its_compartments_and_the_order_is_picked_up(client, setup):
    station, key, order, code = setup
    response = device_post(client, station.id, key, "pickups", {"code": code}, now=NOW)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"order_number": order.number, "compartments": [station.compartments[1].label]}
    db.session.expire_all()
    assert order.status == OrderStatus.PICKED_UP
    assert station.compartments[1].state == CompartmentState.FREE
    assert [e.kind for e in order.events] == ["picked_up_by_code"]
    again = device_post(client, station.id, key, "pickups", {"code": code}, now=NOW)
    assert again.status_code == 404
    assert again.get_json()["error"] == "unknown_code" and again.get_json()["attempts_left"] == 9


def test_wrong_codes_count_down_and_the_eleventh_attempt_meets_a_locked_keypad(client, setup):
    station, key, order, code = setup
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    answers = [device_post(client, station.id, key, "pickups", {"code": wrong}, now=NOW) for _ in range(9)]
    assert {a.status_code for a in answers} == {404}
    assert [a.get_json()["attempts_left"] for a in answers] == [9, 8, 7, 6, 5, 4, 3, 2, 1]
    tenth = device_post(client, station.id, key, "pickups", {"code": "1234"}, now=NOW)
    assert tenth.status_code == 422
    assert tenth.get_json()["error"] == "invalid_code" and tenth.get_json()["attempts_left"] == 0
    locked = device_post(client, station.id, key, "pickups", {"code": code}, now=NOW)
    assert locked.status_code == 423
    assert locked.get_json()["error"] == "keypad_locked"
    assert locked.get_json()["locked_until"] == (NOW + timedelta(minutes=15)).isoformat()
    assert locked.get_json()["detail"]
    not_json = device_post(client, station.id, key, "pickups", b"not json", now=NOW)
    assert not_json.status_code == 423  # the lock comes before anything about the body
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED


def test_a_body_without_a_code_is_an_invalid_code_and_a_miss(client, setup):
    station, key, _, _ = setup
    for body in ({}, {"code": 12345678}, b"[1, 2]"):
        response = device_post(client, station.id, key, "pickups", body, now=NOW)
        assert response.status_code == 422 and response.get_json()["error"] == "invalid_code"
    assert _counts()[0] == 3


def test_a_code_of_another_station_is_unknown(client, setup):
    station, key, _, _ = setup
    other = f.make_station()
    other_code = issue_pickup_code(make_station_order(other), now=NOW, expires_at=NOW + timedelta(days=1))
    db.session.commit()
    response = device_post(client, station.id, key, "pickups", {"code": other_code}, now=NOW)
    assert response.status_code == 404 and response.get_json()["error"] == "unknown_code"


@pytest.mark.parametrize("attack", [
    "stale", "future", "replay", "tampered_body", "missing_header", "other_station_key",
    "upper_case_wrong_key", "upper_case_right_key", "station_header_not_path", "no_such_station",
])
def test_every_device_attack_is_refused_with_401_and_changes_nothing(client, setup, attack):
    station, key, order, code = setup
    other = f.make_station()
    other_key = issue_device_key(other, now=NOW)
    db.session.commit()
    body = {"code": code}
    if attack == "replay":
        first = device_post(client, station.id, key, "pickups", {"code": "00000000"}, now=NOW, nonce="replay-me-1234567")
        assert first.status_code in (404, 200)
    before = _counts()
    if attack == "stale":
        response = device_post(client, station.id, key, "pickups", body, now=NOW - timedelta(seconds=301))
        expected = "stale_request"
    elif attack == "future":
        response = device_post(client, station.id, key, "pickups", body, now=NOW + timedelta(seconds=301))
        expected = "stale_request"
    elif attack == "replay":
        response = device_post(client, station.id, key, "pickups", {"code": "00000000"}, now=NOW, nonce="replay-me-1234567")
        expected = "replayed_nonce"
    elif attack == "tampered_body":
        path = f"/api/v1/devices/stations/{station.id}/pickups"
        from marketplace.pickup.signature import signed_headers

        headers = signed_headers(key, station.id, "POST", path, b'{"code": "00000000"}', now=NOW)
        response = client.post(path, data=f'{{"code": "{code}"}}', headers=headers, content_type="application/json")
        expected = "bad_signature"
    elif attack == "missing_header":
        response = device_post(client, station.id, key, "pickups", body, now=NOW, headers={"X-Landkorb-Nonce": ""})
        expected = "bad_signature"
    elif attack == "other_station_key":
        response = device_post(client, station.id, other_key, "pickups", body, now=NOW)
        expected = "bad_signature"
    elif attack in ("upper_case_wrong_key", "upper_case_right_key"):
        from marketplace.pickup.signature import signed_headers

        path = f"/api/v1/devices/stations/{station.id}/pickups"
        raw = f'{{"code": "{code}"}}'.encode()
        headers = signed_headers(other_key if attack == "upper_case_wrong_key" else key, station.id, "POST", path, raw, now=NOW)
        headers["X-Landkorb-Signature"] = headers["X-Landkorb-Signature"].upper()
        response = client.post(path, data=raw, headers=headers, content_type="application/json")
        expected = "bad_signature"
    elif attack == "station_header_not_path":
        response = device_post(client, other.id, other_key, "pickups", body, now=NOW, path_station_id=station.id)
        expected = "bad_signature"
    else:
        response = device_post(client, 999999, key, "pickups", body, now=NOW)
        expected = "bad_signature"
    assert response.status_code == 401, (attack, response.get_json())
    assert response.get_json()["error"] == expected and response.get_json()["detail"]
    assert _counts() == before
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED


def test_an_order_not_waiting_for_collection_is_refused_and_the_code_stays_valid(client, setup):
    station, key, order, code = setup
    order.status = OrderStatus.IN_TRANSIT
    db.session.commit()
    response = device_post(client, station.id, key, "pickups", {"code": code}, now=NOW)
    assert response.status_code == 409 and response.get_json()["error"] == "invalid_transition"
    order.status = OrderStatus.DELIVERED
    db.session.commit()
    assert device_post(client, station.id, key, "pickups", {"code": code}, now=NOW).status_code == 200
