"""`flask stations simulate`: the locker played against the device API, in process and over HTTP."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.pickup.codes import issue_pickup_code
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import CompartmentReading, CompartmentReservation, CompartmentState
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.helpers import make_station_order


@pytest.fixture
def setup(app, db):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    station = f.make_station()  # 01, 02 ambient S; 03 chilled M
    key = issue_device_key(station, now=NOW)
    order = make_station_order(station)
    db.session.add(CompartmentReservation(compartment=station.compartments[0], order_id=order.id,
                                          delivery_date=order.delivery_date, crate_units=1))
    station.compartments[0].state = CompartmentState.OCCUPIED
    code = issue_pickup_code(order, now=NOW, expires_at=NOW + timedelta(days=1))
    db.session.commit()
    yield station, key, order, code
    app.config.pop("LANDKORB_CLOCK", None)


def _lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def _check_played(station, order, lines):
    assert [(line["request"], line["status"]) for line in lines] == [
        ("pickups", 200), ("events", 202), ("events", 202), ("events", 202),
    ]
    assert lines[0]["answer"] == {"order_number": order.number, "compartments": ["01"]}
    assert lines[3]["answer"]["out_of_service"] == ["03"]
    db.session.expire_all()
    assert order.status == OrderStatus.PICKED_UP
    assert db.session.scalar(select(func.count()).select_from(CompartmentReading)) == 3
    assert [c.state for c in station.compartments] == [
        CompartmentState.FREE, CompartmentState.FREE, CompartmentState.OUT_OF_SERVICE,
    ]


def test_simulate_in_process_picks_up_by_code_and_plays_doors_and_temperatures(runner, setup):
    station, key, order, code = setup
    result = runner.invoke(args=[
        "stations", "simulate", str(station.id), "--key", key, "--code", code,
        "--door", "02", "--temperature", "03=4.5,6.0,8.5",
    ])
    assert result.exit_code == 0, result.output
    _check_played(station, order, _lines(result.output))


def test_simulate_over_http_against_a_running_server(app, runner, setup):
    station, key, order, code = setup
    station_id = str(station.id)
    # Reading the id began a transaction; on SQLite it holds the write lock the server needs.
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = runner.invoke(args=[
            "stations", "simulate", station_id, "--key", key, "--code", code, "--door", "02",
            "--temperature", "03=4.5,6.0,8.5", "--base-url", f"http://127.0.0.1:{server.server_port}",
        ])
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert result.exit_code == 0, result.output
    _check_played(station, order, _lines(result.output))


def test_a_refused_request_makes_the_simulator_exit_with_1(runner, setup):
    station, key, order, code = setup
    wrong_key = "0" * 64
    result = runner.invoke(args=["stations", "simulate", str(station.id), "--key", wrong_key, "--code", code])
    assert result.exit_code == 1
    assert _lines(result.output)[0]["status"] == 401
    wrong_code = runner.invoke(args=["stations", "simulate", str(station.id), "--key", key, "--code", "00000000"
                                     if code != "00000000" else "00000001"])
    assert wrong_code.exit_code == 1 and _lines(wrong_code.output)[0]["answer"]["attempts_left"] == 9
    db.session.expire_all()
    assert order.status == OrderStatus.DELIVERED


@pytest.mark.parametrize("args", [
    ["--key", "ABC"], ["--key", "a" * 64, "--temperature", "03=warm"], ["--key", "a" * 64],
])
def test_bad_arguments_are_usage_errors(runner, setup, args):
    station = setup[0]
    result = runner.invoke(args=["stations", "simulate", str(station.id), *args])
    assert result.exit_code == 2, result.output
