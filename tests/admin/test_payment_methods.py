"""The payment-methods page of a sub-region: the region admin's and the coordinator's, one
service behind both; permissions, form errors, and the checkout offering what was chosen."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.orders.services import add_to_cart
from marketplace.payments.models import SubRegionPaymentMethod
from marketplace.regions.changes import RegionChange
from marketplace.regions.models import SubRegion
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.payments.conftest import fake  # noqa: F401  (the fake gateway: Stripe configured)
from tests.payments.invoice_helpers import allow_invoice


@pytest.fixture
def world(db):
    world = make_world()
    world.admin = f.make_user(role=Role.ADMIN, scope_id=world.sub_region.region_id)
    world.coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id)
    world.other_coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.other_sub_region.id)
    world.other_admin = f.make_user(role=Role.ADMIN, scope_id=f.make_region().id)
    db.session.commit()
    return world


def _admin_url(world, sub_region=None):
    return f"/admin/region/teilregionen/{(sub_region or world.sub_region).id}/zahlungsarten"


def _coordinator_url(sub_region):
    return f"/koordination/{sub_region.slug}/zahlungsarten"


def _as(client, user) -> None:
    login(client, user.email, TEST_PASSWORD)


def _post(client, url, methods):
    return client.post(url, data={"csrf_token": csrf_token_from(client, url), "methods": methods})


def _unchanged() -> bool:
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(SubRegionPaymentMethod))
    return rows == 0 and db.session.scalar(select(func.count()).select_from(RegionChange)) == 0


def _offered_at_checkout(client, world) -> list[str]:
    add_to_cart(user=world.resident, product_id=world.bread.id, quantity=1)
    db.session.commit()
    _as(client, world.resident)
    html = client.get("/kasse").get_data(as_text=True)
    return re.findall(r'id="pay-([a-z_]+)"', html)


def test_the_admin_switches_off_invoice_and_the_log_says_who(world, client):
    _as(client, world.admin)
    page = client.get(_admin_url(world)).get_data(as_text=True)
    assert 'id="method-stripe" name="methods" value="stripe" disabled' in page
    assert "Nur wählbar, wenn Stripe eingerichtet ist" in page
    assert "3,90" in page  # the sub-region's door fee
    response = _post(client, _admin_url(world), ["pay_on_pickup"])
    assert response.status_code == 302
    log = client.get("/admin/region/protokoll").get_data(as_text=True)
    assert "sub_region.payment_methods_changed" in log and world.admin.name in log
    db.session.expire_all()
    rows = db.session.scalars(select(SubRegionPaymentMethod)).all()
    # Stripe is not configured: its box is greyed out and its setting left as it was.
    assert [(r.method.value, r.enabled) for r in rows] == [("pay_on_pickup", True), ("invoice", False)]


def test_the_sub_region_page_links_to_the_payment_methods(world, client):
    _as(client, world.admin)
    page = client.get(f"/admin/region/teilregionen/{world.sub_region.id}").get_data(as_text=True)
    assert _admin_url(world) in page


def test_the_coordinator_switches_the_methods_of_their_own_sub_region(world, client, fake):  # noqa: F811
    _as(client, world.coordinator)
    assert _coordinator_url(world.sub_region) in client.get(f"/koordination/{world.sub_region.slug}").get_data(as_text=True)
    page = client.get(_coordinator_url(world.sub_region)).get_data(as_text=True)
    assert 'value="stripe" checked aria-describedby' in page
    assert _post(client, _coordinator_url(world.sub_region), ["stripe"]).status_code == 302
    change = db.session.scalars(select(RegionChange)).one()
    assert change.actor_id == world.coordinator.id
    assert change.after == {"pay_on_pickup": False, "stripe": True, "invoice": False}


def test_a_coordinator_of_another_sub_region_gets_404_and_changes_nothing(world, client):
    _as(client, world.other_coordinator)
    url = _coordinator_url(world.sub_region)
    token = csrf_token_from(client, _coordinator_url(world.other_sub_region))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"csrf_token": token, "methods": ["pay_on_pickup"]}).status_code == 404
    assert client.get("/koordination/gibt-es-nicht/zahlungsarten").status_code == 404
    assert _unchanged()


def test_an_admin_of_another_region_gets_404_and_changes_nothing(world, client):
    _as(client, world.other_admin)
    token = csrf_token_from(client, "/admin/region")
    assert client.get(_admin_url(world)).status_code == 404
    assert client.post(_admin_url(world), data={"csrf_token": token, "methods": ["stripe"]}).status_code == 404
    assert client.get("/admin/region/teilregionen/999999/zahlungsarten").status_code == 404
    assert _unchanged()


def test_a_resident_may_open_neither_page(world, client):
    _as(client, world.resident)
    token = csrf_token_from(client, "/")
    for url in (_admin_url(world), _coordinator_url(world.sub_region)):
        assert client.get(url).status_code == 403
        assert client.post(url, data={"csrf_token": token, "methods": ["invoice"]}).status_code == 403
    assert _unchanged()


@pytest.mark.parametrize("methods, message", [
    (["bitcoin"], "Diese Zahlungsart gibt es nicht: bitcoin."),
    (["pay_on_pickup", "stripe"], "Die Zahlungsart stripe ist nicht eingerichtet"),  # no Stripe keys
    ([], "Mindestens eine Zahlungsart muss angeboten werden."),
])
def test_bad_input_is_a_form_error_and_changes_nothing(world, client, methods, message):
    _as(client, world.admin)
    response = _post(client, _admin_url(world), methods)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="methods-error"' in html and message in html
    assert _unchanged()


def test_a_negative_door_fee_is_a_form_error_and_changes_nothing(world, client):
    _as(client, world.admin)
    url = f"/admin/region/teilregionen/{world.sub_region.id}"
    response = client.post(f"{url}/angebot", data={
        "offer-csrf_token": csrf_token_from(client, url), "offer-door_delivery": "y",
        "offer-door_fee": "-1,00", "offer-door_min_order": "25,00"})
    assert response.status_code == 422 and "nicht negativ" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SubRegion, world.sub_region.id).door_fee_cents == 390
    assert _unchanged()


def test_the_checkout_offers_exactly_the_chosen_methods(world, client, app, now, fake):  # noqa: F811
    allow_invoice(world.resident, now=now)
    assert _offered_at_checkout(client, world) == ["pay_on_pickup", "stripe", "invoice"]
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/")})
    _as(client, world.coordinator)
    assert _post(client, _coordinator_url(world.sub_region), ["pay_on_pickup", "stripe"]).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/")})
    assert _offered_at_checkout(client, world) == ["pay_on_pickup", "stripe"]


def test_the_page_shows_the_platform_fee_in_force_and_where_it_is_set(world, client, app, monkeypatch):
    _as(client, world.admin)
    page = client.get(_admin_url(world)).get_data(as_text=True)
    assert "10,0 % des Warenwerts" in page and "PLATFORM_FEE_PERCENT" not in page
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", "8")
    monkeypatch.setitem(app.config, "PLATFORM_FEE_CENTS", "30")
    page = client.get(_admin_url(world)).get_data(as_text=True)
    assert "8,0 % des Warenwerts und 0,30\xa0€ je Erzeuger und Bestellung" in page
    assert "festgelegt in der Konfiguration PLATFORM_FEE_PERCENT" in page
