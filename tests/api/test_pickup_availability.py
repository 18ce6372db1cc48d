"""GET /api/v1/pickup-places/{id}/availability?date=…: free compartments per temperature class."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.pickup.models import CompartmentState
from marketplace.pickup.reservations import reserve_compartments, reserve_sales_point_room
from tests import factories as f
from tests.pickup.helpers import make_station_order


@pytest.fixture
def station(db):
    station = f.make_station(compartments=(("S", "ambient", 2), ("M", "chilled", 2), ("L", "frozen", 1)))
    db.session.commit()
    return station


def test_a_station_counts_its_free_compartments_on_that_day(client, station):
    reserve_compartments(station=station, delivery_date=date(2026, 3, 3),
                         crates_by_temperature={"chilled": 1}, order_id=make_station_order(station).id)
    station.compartments[0].state = CompartmentState.OUT_OF_SERVICE
    db.session.commit()
    response = client.get(f"/api/v1/pickup-places/{station.id}/availability?date=2026-03-03")
    assert response.status_code == 200
    assert response.get_json() == {"date": "2026-03-03", "free": {"ambient": 1, "chilled": 1, "frozen": 1}}
    other_day = client.get(f"/api/v1/pickup-places/{station.id}/availability?date=2026-03-06").get_json()
    assert other_day["free"] == {"ambient": 1, "chilled": 2, "frozen": 1}


def test_a_sales_point_answers_the_crate_units_left_and_null_where_not_limited(client, db):
    point = f.make_sales_point(chilled=True, capacity_ambient=6, capacity_chilled=2)
    reserve_sales_point_room(sales_point=point, delivery_date=date(2026, 3, 3),
                             crates_by_temperature={"ambient": Decimal("1.5")}, order_id=make_station_order(point).id)
    db.session.commit()
    response = client.get(f"/api/v1/pickup-places/{point.id}/availability?date=2026-03-03")
    assert response.get_json()["free"] == {"ambient": 4.5, "chilled": 2, "frozen": None}


@pytest.mark.parametrize("query", ["", "?date=", "?date=2026-3-3", "?date=2026-02-30", "?date=heute", "?date=2026-03-03T00:00"])
def test_a_malformed_date_is_422_invalid_date(client, station, query):
    response = client.get(f"/api/v1/pickup-places/{station.id}/availability{query}")
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_date"


def test_an_unknown_or_unapproved_place_is_404(client, db):
    hidden = f.make_station(is_approved=False)
    inactive = f.make_station(is_active=False)
    db.session.commit()
    for place_id in (999999, hidden.id, inactive.id):
        response = client.get(f"/api/v1/pickup-places/{place_id}/availability?date=2026-03-03")
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
