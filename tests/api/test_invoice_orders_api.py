"""Paying by invoice through the API: 201 for an allowed resident, 422 and nothing placed otherwise."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.payments.invoice_method import get_invoice_due
from marketplace.payments.invoices import list_order_invoices
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY, count_orders, stocks
from tests.payments.invoice_helpers import allow_invoice


def _body(world):
    return {"delivery_date": TUESDAY.isoformat(), "payment_method": "invoice",
            "fulfilment": {"kind": "sales_point", "pickup_place_id": world.sales_point.id},
            "items": [{"product_id": world.bread.id, "quantity": 2}]}


def test_a_resident_not_allowed_to_pay_by_invoice_gets_422_and_nothing_is_placed(client, auth, world):
    before = stocks(world.bread)
    response = client.post("/api/v1/orders", json=_body(world), headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == before


def test_an_allowed_resident_orders_on_invoice_confirmed_with_its_invoices(client, auth, world):
    allow_invoice(world.resident, now=NOW)
    response = client.post("/api/v1/orders", json=_body(world), headers=auth)
    assert response.status_code == 201, response.get_json()
    order_id = response.get_json()["id"]
    assert response.get_json()["status"] == "confirmed"
    assert get_invoice_due(order_id) is not None
    assert [i.total_cents for i in list_order_invoices(order_id) if i.buyer_user_id] == [900]
