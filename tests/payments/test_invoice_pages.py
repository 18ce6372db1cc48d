"""Receipt, invoice, Factur-X and paying-by-invoice pages: wiring and permissions."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.payments.invoice_method import get_invoice_due
from marketplace.payments.invoice_models import BillingProfile, InvoiceKind
from marketplace.payments.invoices import list_order_invoices
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.payments.invoice_helpers import allow_invoice, order_bread_and_wine


@pytest.fixture
def world(db):
    return make_world()


def _login(client, user):
    login(client, user.email, TEST_PASSWORD)


def _sale(order, producer):
    return next(i for i in list_order_invoices(order.id) if i.kind == InvoiceKind.SALE and i.producer_id == producer.id)


def test_the_resident_sees_the_receipt_with_each_producer_as_seller(client, world, now):
    order = order_bread_and_wine(world, now)
    _login(client, world.resident)
    html = client.get(f"/bestellungen/{order.id}/beleg").get_data(as_text=True)
    assert world.producer_a.name in html and world.producer_b.name in html
    assert "RE-2026-00001" in html and "MwSt. 19 %" in html
    pdf = client.get(f"/bestellungen/{order.id}/beleg.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    single = client.get(f"/rechnungen/{_sale(order, world.producer_a).id}.pdf")
    assert single.status_code == 200 and single.data.startswith(b"%PDF")


def test_another_residents_receipt_and_invoices_are_404(client, world, now):
    order = order_bread_and_wine(world, now)
    sale = _sale(order, world.producer_a)
    _login(client, f.make_user(home=world.resident.home_place))
    for url in (f"/bestellungen/{order.id}/beleg", f"/bestellungen/{order.id}/beleg.pdf",
                f"/rechnungen/{sale.id}", f"/rechnungen/{sale.id}.pdf", f"/rechnungen/{sale.id}/factur-x.pdf",
                "/bestellungen/999999/beleg", "/rechnungen/999999"):
        assert client.get(url).status_code == 404, url


def test_a_producer_sees_its_own_sales_and_fee_invoices_but_not_the_others(client, world, now):
    order = order_bread_and_wine(world, now)
    fee_a = next(i for i in list_order_invoices(order.id)
                 if i.kind == InvoiceKind.PLATFORM_FEE and i.producer_id == world.producer_a.id)
    _login(client, f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id))
    assert client.get(f"/rechnungen/{fee_a.id}").status_code == 200
    assert client.get(f"/rechnungen/{_sale(order, world.producer_a).id}").status_code == 200
    assert client.get(f"/rechnungen/{_sale(order, world.producer_b).id}").status_code == 404
    assert client.get(f"/bestellungen/{order.id}/beleg").status_code == 404


def test_factur_x_is_offered_to_a_business_buyer_only(client, world, now):
    plain = order_bread_and_wine(world, now)
    allow_invoice(world.resident, organisation="Gemeinde Oberdorf", reference="991-01234-56", now=now)
    kita = order_bread_and_wine(world, now, method="invoice")
    _login(client, world.resident)
    assert client.get(f"/rechnungen/{_sale(plain, world.producer_a).id}/factur-x.pdf").status_code == 404
    response = client.get(f"/rechnungen/{_sale(kita, world.producer_a).id}/factur-x.pdf")
    assert response.status_code == 200 and b"factur-x.xml" in response.data
    assert "E-Rechnung" in client.get(f"/bestellungen/{kita.id}/beleg").get_data(as_text=True)


def test_the_coordinator_allows_a_resident_to_pay_by_invoice(client, world, now):
    coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id)
    _login(client, coordinator)
    page = client.get("/koordination/rechnungskauf").get_data(as_text=True)
    assert world.resident.name in page
    token = csrf_token_from(client, "/koordination/rechnungskauf")
    response = client.post(f"/koordination/rechnungskauf/bewohner/{world.resident.id}", data={
        "csrf_token": token, "may_pay_by_invoice": "y", "organisation": "Kita Sonnenschein"})
    assert response.status_code == 302
    profile = db.session.get(BillingProfile, world.resident.id)
    assert profile.may_pay_by_invoice and profile.organisation == "Kita Sonnenschein"


def test_a_too_long_organisation_is_a_form_error_and_changes_nothing(client, world, now):
    _login(client, f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id))
    token = csrf_token_from(client, "/koordination/rechnungskauf")
    response = client.post(f"/koordination/rechnungskauf/bewohner/{world.resident.id}", data={
        "csrf_token": token, "may_pay_by_invoice": "y", "organisation": "x" * 201}, follow_redirects=True)
    assert "Höchstens 200 Zeichen." in response.get_data(as_text=True)
    assert db.session.get(BillingProfile, world.resident.id) is None


def test_a_coordinator_of_another_sub_region_cannot_change_the_resident(client, world, now):
    _login(client, f.make_user(role=Role.COORDINATOR, scope_id=world.other_sub_region.id))
    token = csrf_token_from(client, "/koordination/rechnungskauf")
    response = client.post(f"/koordination/rechnungskauf/bewohner/{world.resident.id}", data={
        "csrf_token": token, "may_pay_by_invoice": "y"})
    assert response.status_code == 404 and db.session.get(BillingProfile, world.resident.id) is None
    assert world.resident.name not in client.get("/koordination/rechnungskauf").get_data(as_text=True)


def test_staff_of_the_sales_point_mark_an_invoice_paid_and_others_get_404(client, world, now):
    allow_invoice(world.resident, now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    due_id = get_invoice_due(order.id).id
    _login(client, f.make_user(role=Role.SALES_POINT_STAFF, scope_id=world.chilled_sales_point.id))
    token = csrf_token_from(client, "/rechnungskauf/offen")
    assert order.number not in client.get("/rechnungskauf/offen").get_data(as_text=True)
    assert client.post(f"/rechnungskauf/{due_id}/bezahlt", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert get_invoice_due(order.id).paid_at is None
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=world.sales_point.id)
    db.session.commit()
    _login(client, staff)
    assert order.number in client.get("/rechnungskauf/offen").get_data(as_text=True)
    token = csrf_token_from(client, "/rechnungskauf/offen")
    assert client.post(f"/rechnungskauf/{due_id}/bezahlt", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert get_invoice_due(order.id).paid_by_id == staff.id
    again = client.post(f"/rechnungskauf/{due_id}/bezahlt", data={"csrf_token": token}, follow_redirects=True)
    assert "schon als bezahlt" in again.get_data(as_text=True)


def test_the_order_page_links_to_its_receipt(client, world, now):
    order = order_bread_and_wine(world, now)
    _login(client, world.resident)
    assert f"/bestellungen/{order.id}/beleg" in client.get(f"/bestellungen/{order.id}").get_data(as_text=True)
