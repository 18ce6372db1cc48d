"""The Regio-Hub pages: find a resident, register one without e-mail, order for them, print the
slip, invite them to take the account over. Other sub-regions' residents are 404; bad input is a
form error and changes nothing; only sales-point staff get in."""
from __future__ import annotations

import re

from marketplace.accounts.services import authenticate
from marketplace.extensions import db
from marketplace.orders.models import Order
from tests.api.conftest import token_for
from tests.assisted.conftest import counts, csrf_for, new_resident_fields
from tests.conftest import csrf_token_from, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import TUESDAY


def _as_staff(client, hub):
    login(client, hub.staff.email, TEST_PASSWORD)
    return client


def test_staff_find_residents_of_their_sub_region_only(client, hub):
    _as_staff(client, hub)
    page = client.get(f"/hub?q={hub.world.resident.name[:6]}").get_data(as_text=True)
    assert f"/hub/kunden/{hub.world.resident.id}" in page
    other = client.get("/hub?q=Otto").get_data(as_text=True)
    assert "Otto Anders" not in other and "passt zu dieser Suche" in other
    assert client.get(f"/hub/kunden/{hub.other_resident.id}").status_code == 404
    assert client.get(f"/hub/kunden/{hub.other_resident.id}/bestellen").status_code == 404


def test_a_resident_is_found_by_phone_as_typed(client, hub):
    hub.world.resident.phone = "+491715550123"
    db.session.commit()
    _as_staff(client, hub)
    assert f"/hub/kunden/{hub.world.resident.id}" in client.get("/hub?q=0171 5550123").get_data(as_text=True)


def test_only_sales_point_staff_open_the_hub(client, hub):
    login(client, hub.world.resident.email, TEST_PASSWORD)
    assert client.get("/hub").status_code == 403
    assert client.get(f"/hub/kunden/{hub.world.resident.id}").status_code == 403


def _register_form(client, hub, **changes):
    fields = new_resident_fields(hub, **changes)
    data = {key: fields[key] for key in ("name", "phone", "street", "postcode", "town", "channel", "given_by")}
    data.update(text_version=fields["text_version"], consent="y",
                csrf_token=csrf_token_from(client, "/hub/kunden/neu"))
    data.update({k: v for k, v in changes.items() if k == "consent"})
    return client.post("/hub/kunden/neu", data={k: v for k, v in data.items() if v is not None})


def test_staff_register_a_resident_and_the_consent_text_is_shown(client, hub):
    _as_staff(client, hub)
    form = client.get("/hub/kunden/neu").get_data(as_text=True)
    assert "Landkorb speichert Ihren Namen" in form and "2026-12" in form
    response = _register_form(client, hub)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Erna Weber" in page and "Einwilligung am" in page and "angelegt, Einwilligung erfasst" in page


def test_without_consent_or_outside_the_sub_region_nothing_is_registered(client, hub):
    _as_staff(client, hub)
    before = counts()
    no_consent = _register_form(client, hub, consent=None)
    assert no_consent.status_code == 422
    assert "Ohne Einwilligung" in no_consent.get_data(as_text=True)
    elsewhere = _register_form(client, hub, town=hub.other_home_name)
    assert elsewhere.status_code == 422
    assert "nicht im Gebiet Ihrer Verkaufsstelle" in elsewhere.get_data(as_text=True)
    assert counts() == before


def _order_form(client, hub, resident, **fields):
    url = f"/hub/kunden/{resident.id}/bestellen"
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_token_from(client, url), "idempotency_key": key, "action": "order",
            "delivery_date": TUESDAY.isoformat(), "fulfilment": f"sales_point:{hub.world.sales_point.id}",
            "payment_method": "pay_on_pickup", **fields}
    return client.post(url, data=data)


def test_staff_compose_a_basket_order_and_print_the_slip(client, hub):
    _as_staff(client, hub)
    resident = hub.world.resident
    search = client.post(f"/hub/kunden/{resident.id}/bestellen", data={
        "csrf_token": csrf_token_from(client, f"/hub/kunden/{resident.id}/bestellen"), "action": "search",
        "q": "Bauern", f"qty-{hub.world.wine.id}": "1"})
    page = search.get_data(as_text=True)
    assert "Bauernbrot" in page and f'name="qty-{hub.world.wine.id}" value="1"' in page
    response = _order_form(client, hub, resident, **{f"qty-{hub.world.bread.id}": "2"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    order = db.session.query(Order).one()
    assert response.headers["Location"].endswith(f"/hub/bestellungen/{order.id}/zettel")
    assert (order.placed_by_id, order.resident_id) == (hub.staff.id, resident.id)
    slip = client.get(f"/hub/bestellungen/{order.id}/zettel").get_data(as_text=True)
    assert order.number in slip and "2 ×" in slip and "Bauernbrot" in slip and hub.world.sales_point.name in slip
    assert client.get(f"/hub/bestellungen/{order.id}/zettel.pdf").data.startswith(b"%PDF")
    # Repeating the order fills the basket with its lines.
    again = client.get(f"/hub/kunden/{resident.id}/bestellen?wiederholen={order.id}").get_data(as_text=True)
    assert f'name="qty-{hub.world.bread.id}" value="2"' in again


def test_an_empty_basket_or_a_bad_quantity_is_a_form_error(client, hub):
    _as_staff(client, hub)
    before = counts()
    empty = _order_form(client, hub, hub.world.resident)
    assert empty.status_code == 422 and "mindestens ein Produkt" in empty.get_data(as_text=True)
    bad = _order_form(client, hub, hub.world.resident, **{f"qty-{hub.world.bread.id}": "zwei"})
    assert bad.status_code == 422 and "ganze Zahl" in bad.get_data(as_text=True)
    online = _order_form(client, hub, hub.world.resident, payment_method="stripe",
                         **{f"qty-{hub.world.bread.id}": "1"})
    assert online.status_code == 422
    assert counts() == before


def test_another_staff_members_slip_is_404(client, hub, app):
    _as_staff(client, hub)
    _order_form(client, hub, hub.world.resident, **{f"qty-{hub.world.bread.id}": "1"})
    order = db.session.query(Order).one()
    other = app.test_client()
    other_staff = {"Authorization": f"Bearer {token_for(other, hub.other_staff.email)}"}
    assert other.get(f"/hub/bestellungen/{order.id}/zettel", headers=other_staff).status_code == 404
    assert other.get(f"/hub/bestellungen/{order.id}/zettel.pdf", headers=other_staff).status_code == 404


def test_the_resident_takes_the_account_over_from_the_invitation(client, hub, app):
    _as_staff(client, hub)
    created = _register_form(client, hub)
    resident_url = created.headers["Location"]
    resident_id = int(resident_url.rstrip("/").split("/")[-1])
    invitation = client.post(f"/hub/kunden/{resident_id}/einladung",
                             data={"csrf_token": csrf_token_from(client, resident_url)})
    link = re.search(r"<code>([^<]+)</code>", invitation.get_data(as_text=True)).group(1)
    path = link.split("localhost", 1)[1]
    visitor = app.test_client()
    form = visitor.get(path)
    assert form.status_code == 200 and "Erna Weber" in form.get_data(as_text=True)
    taken = visitor.post(path, data={"email": "erna@example.org", "password": "a-long-password",
                                     "csrf_token": csrf_for(visitor, path)})
    assert taken.status_code == 302
    assert authenticate("erna@example.org", "a-long-password").id == resident_id
    assert visitor.get(path).status_code == 404  # spent
    # Once the account is the resident's own, staff cannot invite again.
    assert client.post(f"/hub/kunden/{resident_id}/einladung",
                       data={"csrf_token": csrf_for(client, resident_url)}).status_code == 404


def test_once_delivered_the_slip_carries_the_pickup_code(client, hub):
    from datetime import UTC, datetime

    from marketplace.payments import assisted
    from marketplace.payments.invoice_method import set_billing_profile
    from marketplace.pickup.collection import get_resident_pickup, put_into_place
    from tests.conftest import NOW

    # At a station nobody takes cash: the resident pays by invoice.
    set_billing_profile(resident=hub.world.resident, may_pay_by_invoice=True, organisation=None,
                        buyer_reference=None, actor=None, now=NOW)
    order, _ = assisted.place_assisted_order(
        staff=hub.staff, resident=hub.world.resident, now=NOW, payment_method="invoice",
        items=[(hub.world.bread.id, 1)], delivery_date=TUESDAY, fulfilment=hub.world.station_choice())
    db.session.commit()
    _as_staff(client, hub)
    before = client.get(f"/hub/bestellungen/{order.id}/zettel").get_data(as_text=True)
    assert "sobald die Ware da ist" in before
    delivered_at = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    put_into_place([order], now=delivered_at)
    db.session.commit()
    code = get_resident_pickup(order, now=delivered_at).code
    after = client.get(f"/hub/bestellungen/{order.id}/zettel").get_data(as_text=True)
    assert code in after and "sobald die Ware da ist" not in after
