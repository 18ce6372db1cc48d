"""The operator's station pages: own stations only, compartments out of service and back, the keypad."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.pickup.codes import redeem_code
from marketplace.pickup.models import CompartmentReservation, CompartmentState, KeypadState
from marketplace.pickup.reservations import fill_compartments, reserve_compartments
from tests import factories as f
from tests.conftest import NOW, csrf_token_from, login
from tests.pickup.helpers import make_station_order


@pytest.fixture
def world(app, db):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    mine = f.make_station(name="Station Bergdorf")
    theirs = f.make_station(name="Station Talheim")
    operator = f.make_user(role=Role.OPERATOR, scope_id=mine.id)
    f.make_user(role=Role.OPERATOR, scope_id=theirs.id)
    db.session.commit()
    yield mine, theirs, operator
    app.config.pop("LANDKORB_CLOCK", None)


@pytest.fixture
def operator_client(client, world):
    login(client, world[2].email, f.TEST_PASSWORD)
    return client


def _token(client, station):
    return csrf_token_from(client, f"/operator/stations/{station.id}")


def test_the_operator_sees_own_stations_only(operator_client, world):
    mine, theirs, _ = world
    index = operator_client.get("/operator/stations/").get_data(as_text=True)
    assert "Station Bergdorf" in index and "Station Talheim" not in index
    page = operator_client.get(f"/operator/stations/{mine.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f'id="compartment-{c.label}"' in html for c in mine.compartments)
    assert operator_client.get(f"/operator/stations/{theirs.id}").status_code == 404
    assert operator_client.get("/operator/stations/999999").status_code == 404


def test_another_operator_cannot_change_my_station(operator_client, world):
    mine, theirs, _ = world
    token = _token(operator_client, mine)
    compartment = theirs.compartments[0]
    for url, data in (
        (f"/operator/stations/{theirs.id}/compartments/{compartment.id}/out-of-service", {"reason": "x"}),
        (f"/operator/stations/{theirs.id}/compartments/{compartment.id}/in-service", {}),
        (f"/operator/stations/{theirs.id}/keypad/release", {}),
        # my station in the path, their compartment in it
        (f"/operator/stations/{mine.id}/compartments/{compartment.id}/out-of-service", {"reason": "x"}),
    ):
        assert operator_client.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    db.session.expire_all()
    assert compartment.state == CompartmentState.FREE


def test_residents_and_anonymous_visitors_get_no_station_page(client, world):
    mine = world[0]
    assert client.get(f"/operator/stations/{mine.id}").status_code in (302, 401)
    resident = f.make_user()
    db.session.commit()
    login(client, resident.email, f.TEST_PASSWORD)
    assert client.get(f"/operator/stations/{mine.id}").status_code == 403


def test_out_of_service_with_a_reason_and_back(operator_client, world):
    mine = world[0]
    compartment = mine.compartments[0]
    url = f"/operator/stations/{mine.id}/compartments/{compartment.id}"
    token = _token(operator_client, mine)
    empty = operator_client.post(f"{url}/out-of-service", data={"reason": "  ", "csrf_token": token})
    assert empty.status_code == 302
    db.session.expire_all()
    assert compartment.state == CompartmentState.FREE
    operator_client.post(f"{url}/out-of-service", data={"reason": "Scharnier defekt", "csrf_token": token})
    db.session.expire_all()
    assert compartment.state == CompartmentState.OUT_OF_SERVICE
    assert compartment.out_of_service_reason == "Scharnier defekt"
    assert "Scharnier defekt" in operator_client.get(f"/operator/stations/{mine.id}").get_data(as_text=True)
    operator_client.post(f"{url}/in-service", data={"csrf_token": token})
    db.session.expire_all()
    assert compartment.state == CompartmentState.FREE and compartment.out_of_service_reason is None


def test_without_the_csrf_token_nothing_changes(operator_client, world):
    mine = world[0]
    compartment = mine.compartments[0]
    response = operator_client.post(f"/operator/stations/{mine.id}/compartments/{compartment.id}/out-of-service",
                                    data={"reason": "x"})
    assert response.status_code == 400
    db.session.expire_all()
    assert compartment.state == CompartmentState.FREE


def test_the_day_shows_which_compartment_is_planned_for_which_order(operator_client, world):
    mine = world[0]
    order = make_station_order(mine)
    reserve_compartments(station=mine, delivery_date=date(2026, 3, 3), crates_by_temperature={"chilled": 1},
                         order_id=order.id)
    db.session.commit()
    html = operator_client.get(f"/operator/stations/{mine.id}?date=2026-03-03").get_data(as_text=True)
    assert order.number in html
    other_day = operator_client.get(f"/operator/stations/{mine.id}?date=2026-03-04").get_data(as_text=True)
    assert order.number not in other_day
    assert operator_client.get(f"/operator/stations/{mine.id}?date=morgen").status_code == 404


def test_without_a_day_the_page_opens_the_first_coming_day_with_compartments_planned(operator_client, world):
    from marketplace.core.clock import local_today

    mine, theirs = world[0], world[1]
    today = local_today(NOW)
    soon, later, past = today + timedelta(days=3), today + timedelta(days=7), today - timedelta(days=2)
    orders = {day: make_station_order(mine) for day in (past, soon, later)}
    for day, order in orders.items():
        reserve_compartments(station=mine, delivery_date=day, crates_by_temperature={"chilled": 1},
                             order_id=order.id)
    elsewhere = make_station_order(theirs)
    reserve_compartments(station=theirs, delivery_date=today + timedelta(days=1),
                         crates_by_temperature={"chilled": 1}, order_id=elsewhere.id)
    db.session.commit()
    html = operator_client.get(f"/operator/stations/{mine.id}").get_data(as_text=True)
    assert f'value="{soon.isoformat()}"' in html and orders[soon].number in html
    assert orders[later].number not in html and orders[past].number not in html
    # The coming days with compartments planned, each a link; not the past day, not the other station's.
    assert f'date={soon.isoformat()}" aria-current="date"' in html and f"date={later.isoformat()}" in html
    assert f"date={past.isoformat()}" not in html and f"date={(today + timedelta(days=1)).isoformat()}" not in html


def test_without_anything_planned_the_page_opens_today(operator_client, world):
    from marketplace.core.clock import local_today

    html = operator_client.get(f"/operator/stations/{world[0].id}").get_data(as_text=True)
    assert f'value="{local_today(NOW).isoformat()}"' in html and "Fächer eingeplant:" not in html


def test_the_operator_releases_a_locked_keypad(operator_client, world):
    mine = world[0]
    db.session.add(KeypadState(station_id=mine.id, misses_in_row=0, is_held=True, held_since=NOW))
    db.session.commit()
    assert "Tastenfeld freigeben" in operator_client.get(f"/operator/stations/{mine.id}").get_data(as_text=True)
    token = _token(operator_client, mine)
    operator_client.post(f"/operator/stations/{mine.id}/keypad/release", data={"csrf_token": token})
    db.session.expire_all()
    state = db.session.get(KeypadState, mine.id)
    assert not state.is_held and state.locked_until is None
    with pytest.raises(Exception) as refused:
        redeem_code(mine, "00000000", now=NOW + timedelta(seconds=1))
    assert refused.value.code == "unknown_code"  # checked again, not locked


def test_the_operator_adds_a_compartment_with_a_unique_label(operator_client, world):
    mine = world[0]
    token = _token(operator_client, mine)
    url = f"/operator/stations/{mine.id}/compartments"
    operator_client.post(url, data={"label": "K9", "size": "L", "temperature": "frozen", "csrf_token": token})
    db.session.expire_all()
    added = next(c for c in mine.compartments if c.label == "K9")
    assert (added.size.value, added.temperature.value, added.state) == ("L", "frozen", CompartmentState.FREE)
    count = len(mine.compartments)
    for bad in ({"label": "K9"}, {"label": "zu lang und leer"}, {"label": ""}, {"label": "K10", "size": "XL"},
                {"label": "K11", "temperature": "hot"}):
        data = {"size": "S", "temperature": "ambient", "csrf_token": token, **bad}
        assert operator_client.post(url, data=data, headers={"Referer": f"/operator/stations/{mine.id}"}).status_code == 302
    db.session.expire_all()
    assert len(mine.compartments) == count
    theirs = world[1]
    response = operator_client.post(f"/operator/stations/{theirs.id}/compartments",
                                    data={"label": "X1", "size": "S", "temperature": "ambient", "csrf_token": token})
    assert response.status_code == 404


def test_size_and_temperature_change_unless_orders_are_planned_in_it(operator_client, world):
    mine = world[0]
    token = _token(operator_client, mine)
    first = mine.compartments[0]
    operator_client.post(f"/operator/stations/{mine.id}/compartments/{first.id}",
                         data={"size": "M", "temperature": "chilled", "csrf_token": token})
    db.session.expire_all()
    assert (first.size.value, first.temperature.value) == ("M", "chilled")
    page = operator_client.get(f"/operator/stations/{mine.id}").get_data(as_text=True)
    assert f'<select id="size-{first.id}" name="size"><option value="S">S</option><option value="M" selected>' in page
    order = make_station_order(mine)
    reserve_compartments(station=mine, delivery_date=date(2026, 3, 3), crates_by_temperature={"chilled": 2},
                         order_id=order.id)
    db.session.commit()
    planned = db.session.scalars(select(CompartmentReservation)).one().compartment
    response = operator_client.post(f"/operator/stations/{mine.id}/compartments/{planned.id}",
                                    data={"size": "S", "temperature": "ambient", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert planned.temperature.value == "chilled"
    theirs = world[1].compartments[0]
    assert operator_client.post(f"/operator/stations/{world[1].id}/compartments/{theirs.id}",
                                data={"size": "L", "temperature": "ambient", "csrf_token": token}).status_code == 404


def test_the_page_lists_what_waits_to_be_collected(operator_client, world):
    mine = world[0]
    waiting, planned = make_station_order(mine), make_station_order(mine)
    for order in (waiting, planned):
        reserve_compartments(station=mine, delivery_date=date(2026, 3, 2), crates_by_temperature={"ambient": 1},
                             order_id=order.id)
    fill_compartments(station=mine, order_id=waiting.id, delivery_date=date(2026, 3, 2), now=NOW)
    db.session.commit()
    html = operator_client.get(f"/operator/stations/{mine.id}").get_data(as_text=True)
    section = html[html.index('id="waiting"'):html.index("</table>", html.index('id="waiting"'))]
    assert waiting.number in section and planned.number not in section
