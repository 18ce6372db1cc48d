"""Locker events: validated whole, temperatures logged, faults, open doors and heat take a compartment out."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.pickup.events import (
    InvalidEvent,
    Limits,
    check_open_doors,
    record_station_events,
    take_open_doors_out_of_service,
)
from marketplace.pickup.models import CompartmentReading, CompartmentReservation, CompartmentState
from marketplace.pickup.services import return_to_service
from tests import factories as f
from tests.pickup.helpers import make_station_order


@pytest.fixture
def station(db):
    # 01 ambient S, 02 chilled M, 03 frozen L
    return f.make_station(compartments=(("S", "ambient", 1), ("M", "chilled", 1), ("L", "frozen", 1)))


def _ev(kind, label, at, value=None):
    item = {"kind": kind, "compartment": label, "at": at.isoformat()}
    if value is not None:
        item["value"] = value
    return item


def _readings() -> int:
    return db.session.scalar(select(func.count()).select_from(CompartmentReading))


def test_temperatures_are_logged_per_compartment(station, now):
    taken = record_station_events(station, [
        _ev("temperature", "02", now - timedelta(minutes=2), 4.5),
        _ev("temperature", "02", now - timedelta(minutes=1), 5),
        _ev("temperature", "03", now, -18.25),
    ], now=now)
    assert taken == []
    rows = db.session.scalars(select(CompartmentReading).order_by(CompartmentReading.at)).all()
    assert [(r.compartment_id, r.celsius) for r in rows] == [
        (station.compartments[1].id, Decimal("4.50")), (station.compartments[1].id, Decimal("5.00")),
        (station.compartments[2].id, Decimal("-18.25")),
    ]


@pytest.mark.parametrize(("label", "value", "out"), [
    ("02", 7.0, False), ("02", 7.1, True), ("03", -15.0, False), ("03", -14.9, True), ("01", 35, False),
])
def test_a_temperature_above_the_limit_takes_the_compartment_out_of_service(station, now, label, value, out):
    taken = record_station_events(station, [_ev("temperature", label, now, value)], now=now)
    compartment = next(c for c in station.compartments if c.label == label)
    assert (compartment.state == CompartmentState.OUT_OF_SERVICE) is out
    assert taken == ([label] if out else [])
    if out:
        assert "°C" in compartment.out_of_service_reason and compartment.out_of_service_since == now


def test_the_limits_are_configurable(station, now):
    record_station_events(station, [_ev("temperature", "02", now, 6.0)], now=now, limits=Limits(chilled_max_c=5.5))
    assert station.compartments[1].state == CompartmentState.OUT_OF_SERVICE


def test_a_fault_takes_the_compartment_out_of_service_with_its_reason(station, now):
    assert record_station_events(station, [_ev("fault", "01", now, "E42")], now=now) == ["01"]
    assert station.compartments[0].out_of_service_reason == "Störung gemeldet: E42"


def test_a_door_closed_in_time_is_fine_and_one_left_open_goes_out_of_service(station, now):
    record_station_events(station, [
        _ev("door_opened", "01", now - timedelta(minutes=3)), _ev("door_closed", "01", now - timedelta(minutes=2)),
        _ev("door_opened", "02", now - timedelta(minutes=4)),
    ], now=now)
    assert [c.state for c in station.compartments] == [CompartmentState.FREE] * 3
    assert station.compartments[1].door_opened_at == now - timedelta(minutes=4)
    assert take_open_doors_out_of_service(station, now=now + timedelta(minutes=2)) == ["02"]
    assert station.compartments[1].out_of_service_reason == "Tür seit 6 Minuten offen"


def test_events_apply_in_time_order(station, now):
    record_station_events(station, [
        _ev("door_closed", "01", now - timedelta(minutes=9)), _ev("door_opened", "01", now - timedelta(minutes=10)),
    ], now=now)
    assert station.compartments[0].state == CompartmentState.FREE
    assert station.compartments[0].door_opened_at is None


@pytest.mark.parametrize("bad", [
    "other_station", "hot", "bad_kind", "bad_time", "naive_time", "far_future", "no_value", "bool_value",
    "nan", "not_a_list", "empty", "not_an_object", "label_number",
])
def test_a_bad_event_refuses_the_whole_batch_and_stores_nothing(station, now, bad):
    other = f.make_station(compartments=(("S", "chilled", 4),))
    good = _ev("temperature", "02", now, 9.5)  # would take 02 out of service
    item = _ev("temperature", "02", now, 4.0)
    if bad == "other_station":
        item["compartment"] = "04"  # only the other station has a fourth compartment
        assert any(c.label == "04" for c in other.compartments)
    elif bad == "hot":
        item["value"] = "hot"
    elif bad == "bad_kind":
        item["kind"] = "door_smashed"
    elif bad == "bad_time":
        item["at"] = "yesterday"
    elif bad == "naive_time":
        item["at"] = now.replace(tzinfo=None).isoformat()
    elif bad == "far_future":
        item["at"] = (now + timedelta(hours=1)).isoformat()
    elif bad == "no_value":
        del item["value"]
    elif bad == "bool_value":
        item["value"] = True
    elif bad == "nan":
        item["value"] = float("nan")
    elif bad == "label_number":
        item["compartment"] = 2
    batch = {"not_a_list": {"0": good}, "empty": [], "not_an_object": [good, "x"]}.get(bad, [good, item])
    with pytest.raises(InvalidEvent) as refused:
        record_station_events(station, batch, now=now)
    assert refused.value.status == 422
    assert _readings() == 0
    assert [c.state for c in station.compartments] == [CompartmentState.FREE] * 3


def test_back_in_service_is_free_or_occupied_by_what_is_due_in_it(station, now):
    record_station_events(station, [_ev("fault", "01", now), _ev("fault", "02", now)], now=now)
    order = make_station_order(station)
    db.session.add(CompartmentReservation(compartment=station.compartments[1], order_id=order.id,
                                          delivery_date=now.date(), crate_units=1))
    return_to_service(station.compartments[0], now=now)
    return_to_service(station.compartments[1], now=now)
    assert [c.state for c in station.compartments[:2]] == [CompartmentState.FREE, CompartmentState.OCCUPIED]
    assert station.compartments[0].out_of_service_reason is None


def test_the_door_job_finds_doors_left_open_at_every_station(station, now):
    other = f.make_station()
    record_station_events(station, [_ev("door_opened", "01", now)], now=now)
    record_station_events(other, [_ev("door_opened", "02", now - timedelta(minutes=1))], now=now)
    assert check_open_doors(now=now + timedelta(minutes=5)) == [(other.id, "02")]
    assert check_open_doors(now=now + timedelta(minutes=6)) == [(station.id, "01")]
    assert check_open_doors(now=now + timedelta(minutes=7)) == []


def test_the_jobs_are_registered():
    from marketplace.jobs.registry import JOBS

    assert {"check_open_doors", "thin_cold_chain_readings"} <= set(JOBS)


def test_a_batch_sent_again_logs_its_readings_once(station, now):
    batch = [_ev("temperature", "02", now - timedelta(minutes=1), 4.5), _ev("temperature", "02", now, 4.6),
             _ev("temperature", "02", now, 4.6)]
    record_station_events(station, batch, now=now)
    record_station_events(station, batch, now=now + timedelta(seconds=30))
    assert _readings() == 2
