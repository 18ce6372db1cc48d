"""POST /api/v1/assisted/orders: staff order for a known or a new resident; the slip opens for the
staff member who placed the order and for nobody else; another sub-region → 422, nothing made."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from tests.api.conftest import token_for
from tests.assisted.conftest import UNKNOWN_PLZ, counts
from tests.orders.helpers import TUESDAY

URL = "/api/v1/assisted/orders"


def _bearer(client, user) -> dict:
    return {"Authorization": f"Bearer {token_for(client, user.email)}"}


def _body(hub, resident, **changes) -> dict:
    return {"resident": resident, "delivery_date": TUESDAY.isoformat(),
            "fulfilment": {"kind": "sales_point", "pickup_place_id": hub.world.sales_point.id},
            "payment_method": "pay_on_pickup", "items": [{"product_id": hub.world.bread.id, "quantity": 1}],
            **changes}


def _new(hub, **changes) -> dict:
    return {"name": "Erna Weber", "phone": "0171 2345678", "street": "Lindenweg 4", "postcode": UNKNOWN_PLZ,
            "place": hub.home_name, "consent": {"given_by": "phone", "text_version": "2026-12"}, **changes}


def test_staff_order_for_a_new_resident_and_the_slip_opens_with_their_token(client, hub):
    staff = _bearer(client, hub.staff)
    response = client.post(URL, json=_body(hub, _new(hub)), headers=staff)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["order"]["status"] == "confirmed" and body["order"]["number"]
    assert body["slip_url"] == f"/hub/bestellungen/{body['order']['id']}/zettel"
    slip = client.get(body["slip_url"], headers=staff)
    assert slip.status_code == 200 and body["order"]["number"] in slip.get_data(as_text=True)
    pdf = client.get(body["slip_url"] + ".pdf", headers=staff)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The staff member sees the order as the resident does; the resident was created without e-mail.
    assert client.get(f"/api/v1/orders/{body['order']['id']}", headers=staff).status_code == 200


def test_the_slip_opens_for_nobody_else(client, hub):
    created = client.post(URL, json=_body(hub, {"id": hub.world.resident.id}), headers=_bearer(client, hub.staff))
    slip_url = created.get_json()["slip_url"]
    anonymous = client.get(slip_url)  # a browser without a session is sent to the login
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get(slip_url, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get(slip_url, headers=_bearer(client, hub.other_staff)).status_code == 404
    assert client.get(slip_url, headers=_bearer(client, hub.world.resident)).status_code == 404


def test_a_resident_of_another_sub_region_is_refused_and_nothing_is_made(client, hub):
    staff = _bearer(client, hub.staff)
    before = counts()
    for resident in ({"id": hub.other_resident.id}, _new(hub, place=hub.other_home_name)):
        response = client.post(URL, json=_body(hub, resident), headers=staff)
        assert response.status_code == 422
        assert response.get_json()["error"] == "outside_sub_region"
    assert counts() == before


def test_only_sales_point_staff_may_order_for_others(client, hub):
    before = counts()
    response = client.post(URL, json=_body(hub, {"id": hub.world.resident.id}), headers=_bearer(client, hub.world.resident))
    assert response.status_code == 404
    assert client.post(URL, json=_body(hub, {"id": hub.world.resident.id})).status_code == 401
    assert counts() == before


@pytest.mark.parametrize(("change", "error"), [
    ({"resident": {"id": "7"}}, "invalid_input"),
    ({"resident": "Erna"}, "invalid_input"),
    ({"payment_method": "stripe"}, "payment_method_unavailable"),
    ({"items": []}, None),
    ({"delivery_date": "morgen"}, None),
])
def test_bad_input_is_a_clear_422_and_changes_nothing(client, hub, change, error):
    staff = _bearer(client, hub.staff)
    before = counts()
    body = {**_body(hub, {"id": hub.world.resident.id}), **change}
    response = client.post(URL, json=body, headers=staff)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["detail"]
    if error:
        assert response.get_json()["error"] == error
    assert counts() == before


@pytest.mark.parametrize("change", [
    {"consent": None}, {"consent": {"given_by": "phone"}}, {"consent": {"given_by": "fax", "text_version": "2026-12"}},
    {"consent": {"given_by": "phone", "text_version": "0"}}, {"name": ""}, {"street": 5},
])
def test_a_new_resident_needs_complete_details_and_a_known_consent(client, hub, change):
    staff = _bearer(client, hub.staff)
    before = counts()
    response = client.post(URL, json=_body(hub, _new(hub, **change)), headers=staff)
    assert response.status_code == 422, response.get_json()
    assert counts() == before
    db.session.rollback()
