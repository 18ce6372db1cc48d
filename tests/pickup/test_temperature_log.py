"""The cold-chain log: readings per period, thinned after 90 days, CSV for HACCP, an SVG chart; operators only."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.pickup.models import CompartmentReading
from marketplace.pickup.temperature_log import list_readings, readings_csv, readings_svg, thin_readings
from tests import factories as f
from tests.conftest import NOW, login


@pytest.fixture
def chilled(db):
    station = f.make_station(compartments=(("M", "chilled", 1), ("S", "ambient", 1)))
    return station.compartments[0]


def _read(compartment, at, celsius):
    db.session.add(CompartmentReading(compartment_id=compartment.id, at=at, celsius=Decimal(str(celsius))))


def test_readings_of_a_period_in_time_order(chilled):
    for minutes, value in ((30, 4.0), (10, 5.5), (20, 4.5), (60 * 24 * 8, 3.0)):
        _read(chilled, NOW - timedelta(minutes=minutes), value)
    db.session.flush()
    readings = list_readings(chilled.id, since=NOW - timedelta(days=7), until=NOW)
    assert [r.celsius for r in readings] == [Decimal("4.00"), Decimal("4.50"), Decimal("5.50")]


def test_readings_older_than_90_days_keep_the_warmest_per_hour(chilled):
    old = (NOW - timedelta(days=91)).replace(minute=0)
    for minutes, value in ((0, 4.0), (15, 6.5), (30, 5.0), (75, 3.0)):
        _read(chilled, old + timedelta(minutes=minutes), value)
    _read(chilled, NOW - timedelta(days=10), 4.0)
    _read(chilled, NOW - timedelta(days=10, minutes=-5), 4.1)
    db.session.flush()
    assert thin_readings(now=NOW) == 2
    left = db.session.scalars(select(CompartmentReading.celsius).order_by(CompartmentReading.at)).all()
    assert left == [Decimal("6.50"), Decimal("3.00"), Decimal("4.00"), Decimal("4.10")]
    assert thin_readings(now=NOW) == 0


def test_csv_has_one_line_per_reading(chilled):
    _read(chilled, NOW, 4.25)
    db.session.flush()
    rows = list(csv.reader(io.StringIO(readings_csv(chilled, list_readings(chilled.id, since=NOW, until=NOW + timedelta(1))))))
    assert rows == [["station", "compartment", "temperature_class", "at_utc", "celsius"],
                    [chilled.station.name, chilled.label, "chilled", NOW.isoformat(), "4.25"]]


def test_a_station_name_that_starts_like_a_formula_is_guarded_in_the_csv(chilled):
    chilled.station.name = "@SUM(1)"
    _read(chilled, NOW, 4.25)
    db.session.flush()
    rows = list(csv.reader(io.StringIO(readings_csv(chilled, list_readings(chilled.id, since=NOW, until=NOW + timedelta(1))))))
    assert rows[1][:2] == ["'@SUM(1)", chilled.label]


def test_the_chart_draws_the_readings_and_the_limit(chilled):
    _read(chilled, NOW - timedelta(hours=1), 4.0)
    _read(chilled, NOW, 8.0)
    db.session.flush()
    svg = readings_svg(list_readings(chilled.id, since=NOW - timedelta(days=1), until=NOW + timedelta(1)),
                       limit_c=7.0, title="Fach <01>")
    assert svg.startswith("<svg") and "<polyline" in svg and "stroke-dasharray" in svg
    assert "Fach &lt;01&gt;" in svg
    assert "<polyline" not in readings_svg([], limit_c=None, title="leer")


@pytest.fixture
def operator_client(app, client, chilled):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    operator = f.make_user(role=Role.OPERATOR, scope_id=chilled.station_id)
    _read(chilled, NOW - timedelta(hours=2), 4.5)
    db.session.commit()
    login(client, operator.email, f.TEST_PASSWORD)
    yield client
    app.config.pop("LANDKORB_CLOCK", None)


def test_the_operator_sees_the_chart_and_downloads_the_csv(operator_client, chilled):
    base = f"/operator/stations/{chilled.station_id}/compartments/{chilled.id}/temperatures"
    page = operator_client.get(base)
    assert page.status_code == 200 and "<polyline" in page.get_data(as_text=True)
    download = operator_client.get(base + ".csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert "4.50" in download.get_data(as_text=True)
    for bad in ("?from=gestern", "?from=2026-03-05&to=2026-03-01", "?from=2024-01-01&to=2026-03-02"):
        assert operator_client.get(base + bad).status_code == 404, bad


def test_another_operator_gets_404_for_the_log(operator_client, db):
    other = f.make_station(compartments=(("M", "chilled", 1),))
    db.session.commit()
    compartment = other.compartments[0]
    base = f"/operator/stations/{other.id}/compartments/{compartment.id}/temperatures"
    assert operator_client.get(base).status_code == 404
    assert operator_client.get(base + ".csv").status_code == 404
