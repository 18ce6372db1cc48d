"""The resident's "Daueraufträge" pages: create from the basket, pause, resume, skip, end;
bad input is a form error; another resident's standing order is a 404; every form needs CSRF."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.orders.services import set_cart_quantity
from marketplace.orders.standing.models import StandingOrder
from tests import factories as f
from tests.api.conftest import Clock
from tests.conftest import NOW, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.orders.shop_app import token_in
from tests.orders.standing_helpers import FRIDAY, NEXT_FRIDAY, subscribe


@pytest.fixture
def world(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    return make_world()


@pytest.fixture
def resident(client, world):
    login(client, world.resident.email, TEST_PASSWORD)
    return client


def _fill_cart(world):
    set_cart_quantity(user=world.resident, product_id=world.bread.id, quantity=2)
    set_cart_quantity(user=world.resident, product_id=world.milk.id, quantity=1)
    _db.session.commit()


def _count(db):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(StandingOrder))


def test_a_standing_order_is_created_from_the_basket(resident, world, db):
    _fill_cart(world)
    page = resident.get("/konto/dauerauftraege/neu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Freitag" in html and "Dienstag" in html and world.station.name in html
    response = resident.post("/konto/dauerauftraege/neu", data={
        "csrf_token": token_in(html), "weekday": "5", "fulfilment": f"sales_point:{world.chilled_sales_point.id}",
        "payment_method": "pay_on_pickup",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    standing = db.session.scalars(select(StandingOrder)).one()
    assert standing.weekday == 5 and standing.pickup_place_id == world.chilled_sales_point.id
    listing = resident.get("/konto/dauerauftraege").get_data(as_text=True)
    assert "Jeden Freitag" in listing and "läuft" in listing and "Freitag, 6. März 2026" in listing
    assert "2 × Bauernbrot" in listing


@pytest.mark.parametrize("data, message", [
    ({"weekday": "3"}, "Bitte wählen Sie einen der Liefertage"),
    ({"weekday": "abc"}, "Bitte wählen Sie einen der Liefertage"),
    ({"fulfilment": "station:999999"}, "Bitte wählen Sie einen der möglichen Abholorte"),
    ({"fulfilment": "station:abc"}, "Bitte wählen Sie einen der möglichen Abholorte"),
    ({"payment_method": "stripe"}, "Bitte wählen Sie eine Zahlungsart"),
])
def test_bad_input_is_a_form_error_and_creates_nothing(resident, world, db, data, message):
    _fill_cart(world)
    html = resident.get("/konto/dauerauftraege/neu").get_data(as_text=True)
    form = {"csrf_token": token_in(html), "weekday": "5", "fulfilment": f"sales_point:{world.chilled_sales_point.id}",
            "payment_method": "pay_on_pickup", **data}
    response = resident.post("/konto/dauerauftraege/neu", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(db) == 0


def test_the_cold_chain_refusal_shows_at_the_place(resident, world, db):
    set_cart_quantity(user=world.resident, product_id=world.milk.id, quantity=1)
    _db.session.commit()
    html = resident.get("/konto/dauerauftraege/neu").get_data(as_text=True)
    # The ambient-only station is not offered for chilled milk at all.
    assert f"station:{world.ambient_station.id}" not in html
    response = resident.post("/konto/dauerauftraege/neu", data={
        "csrf_token": token_in(html), "weekday": "5", "fulfilment": f"station:{world.ambient_station.id}",
        "payment_method": "pay_on_pickup"})
    assert response.status_code == 422 and _count(db) == 0


def test_without_a_basket_the_form_sends_to_the_basket(resident, world):
    response = resident.get("/konto/dauerauftraege/neu")
    assert response.status_code == 302 and response.headers["Location"].endswith("/warenkorb")


def test_pause_skip_resume_end_through_the_buttons(resident, world, db):
    standing = subscribe(world)
    url = f"/konto/dauerauftraege/{standing.id}"
    token = token_in(resident.get("/konto/dauerauftraege").get_data(as_text=True))
    assert resident.post(f"{url}/aussetzen", data={"csrf_token": token, "day": FRIDAY.isoformat()}).status_code == 302
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).skipped_dates == [FRIDAY]
    listing = resident.get("/konto/dauerauftraege").get_data(as_text=True)
    assert "13. März 2026" in listing
    resident.post(f"{url}/pausieren", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).state == "paused"
    assert "pausiert" in resident.get("/konto/dauerauftraege").get_data(as_text=True)
    resident.post(f"{url}/fortsetzen", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).state == "active"
    resident.post(f"{url}/beenden", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).state == "ended"
    # Ended: resuming is refused with a message, nothing changes.
    response = resident.post(f"{url}/fortsetzen", data={"csrf_token": token}, follow_redirects=True)
    assert "Dieser Dauerauftrag ist beendet." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).state == "ended"


def test_a_bad_day_to_skip_is_a_message_and_changes_nothing(resident, world, db):
    standing = subscribe(world)
    token = token_in(resident.get("/konto/dauerauftraege").get_data(as_text=True))
    for day in ("2026-03-03", "gestern", ""):
        response = resident.post(f"/konto/dauerauftraege/{standing.id}/aussetzen",
                                 data={"csrf_token": token, "day": day}, follow_redirects=True)
        assert "An diesem Tag würde dieser Dauerauftrag nicht bestellen." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).skipped_dates == []
    assert NEXT_FRIDAY not in db.session.get(StandingOrder, standing.id).skipped_dates


@pytest.mark.parametrize("action", ["pausieren", "fortsetzen", "aussetzen", "beenden"])
def test_another_residents_standing_order_is_404(client, world, db, action):
    standing = subscribe(world)
    other = f.make_user(home=world.resident.home_place)
    db.session.commit()
    login(client, other.email, TEST_PASSWORD)
    token = token_in(client.get("/konto/dauerauftraege").get_data(as_text=True))
    response = client.post(f"/konto/dauerauftraege/{standing.id}/{action}",
                           data={"csrf_token": token, "day": FRIDAY.isoformat()})
    assert response.status_code == 404
    db.session.expire_all()
    same = db.session.get(StandingOrder, standing.id)
    assert (same.state, same.skipped_dates) == ("active", [])
    assert "Jeden Freitag" not in client.get("/konto/dauerauftraege").get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(resident, world, db):
    standing = subscribe(world)
    assert resident.post(f"/konto/dauerauftraege/{standing.id}/beenden").status_code == 400
    db.session.expire_all()
    assert db.session.get(StandingOrder, standing.id).state == "active"


def test_the_pages_need_a_login(client, world):
    assert client.get("/konto/dauerauftraege").status_code == 302
    assert client.get("/konto/dauerauftraege/neu").status_code == 302


def test_pay_on_pickup_at_a_parcel_station_is_a_form_error_and_creates_nothing(resident, world, db):
    _fill_cart(world)
    html = resident.get("/konto/dauerauftraege/neu").get_data(as_text=True)
    response = resident.post("/konto/dauerauftraege/neu", data={
        "csrf_token": token_in(html), "weekday": "5", "fulfilment": f"station:{world.station.id}",
        "payment_method": "pay_on_pickup"})
    assert response.status_code == 422
    assert "Diese Zahlungsart ist hier nicht verfügbar." in response.get_data(as_text=True)
    assert _count(db) == 0
