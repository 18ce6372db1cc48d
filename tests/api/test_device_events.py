"""POST /api/v1/devices/stations/{id}/events: 202 when stored, 422 and nothing stored when one is bad."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import CompartmentReading, CompartmentState
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.device_client import device_post


@pytest.fixture
def setup(app, db):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    station = f.make_station(compartments=(("S", "ambient", 1), ("M", "chilled", 1)))
    other = f.make_station(compartments=(("S", "chilled", 3),))
    key = issue_device_key(station, now=NOW)
    db.session.commit()
    yield station, other, key
    app.config.pop("LANDKORB_CLOCK", None)


def _readings():
    return db.session.scalar(select(func.count()).select_from(CompartmentReading))


def test_events_are_accepted_and_an_overheated_compartment_goes_out_of_service(client, setup):
    station, _, key = setup
    events = [
        {"kind": "temperature", "compartment": "02", "at": (NOW - timedelta(minutes=1)).isoformat(), "value": 4.5},
        {"kind": "temperature", "compartment": "02", "at": NOW.isoformat().replace("+00:00", "Z"), "value": 9.0},
        {"kind": "door_opened", "compartment": "01", "at": NOW.isoformat()},
    ]
    response = device_post(client, station.id, key, "events", {"events": events}, now=NOW)
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"accepted": True, "out_of_service": ["02"]}
    db.session.expire_all()
    assert _readings() == 2
    assert station.compartments[1].state == CompartmentState.OUT_OF_SERVICE


@pytest.mark.parametrize("event", [
    {"kind": "temperature", "compartment": "03", "value": 4.0},   # the other station's third compartment
    {"kind": "temperature", "compartment": "02", "value": "hot"},
    {"kind": "smoke", "compartment": "02"},
    {"kind": "temperature", "compartment": "02", "value": 4.0, "at": "2026-13-01T00:00:00Z"},
])
def test_a_bad_event_is_422_and_nothing_is_stored(client, setup, event):
    station, other, key = setup
    assert any(c.label == "03" for c in other.compartments)
    events = [{"kind": "temperature", "compartment": "02", "at": NOW.isoformat(), "value": 12.0},
              {"at": NOW.isoformat(), **event}]
    response = device_post(client, station.id, key, "events", {"events": events}, now=NOW)
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_event" and response.get_json()["detail"]
    db.session.expire_all()
    assert _readings() == 0
    assert station.compartments[1].state == CompartmentState.FREE


def test_events_signed_with_another_key_are_refused(client, setup):
    station, other, _ = setup
    other_key = issue_device_key(other, now=NOW)
    db.session.commit()
    events = [{"kind": "fault", "compartment": "01", "at": NOW.isoformat()}]
    response = device_post(client, station.id, other_key, "events", {"events": events}, now=NOW)
    assert response.status_code == 401 and response.get_json()["error"] == "bad_signature"
    db.session.expire_all()
    assert station.compartments[0].state == CompartmentState.FREE


def test_a_body_that_is_not_an_object_is_400(client, setup):
    station, _, key = setup
    response = device_post(client, station.id, key, "events", b"[]", now=NOW)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"
