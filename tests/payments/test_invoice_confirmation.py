"""The confirmation page of an invoice order says when it is due and links to its invoices."""
from __future__ import annotations

import pytest

from marketplace.payments.invoice_method import get_invoice_due
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.payments.invoice_helpers import allow_invoice, order_bread_and_wine


@pytest.fixture
def world(db):
    return make_world()


def test_an_invoice_order_shows_its_due_date_and_the_link_to_its_invoices(client, world, now):
    allow_invoice(world.resident, now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    cash = order_bread_and_wine(world, now)
    login(client, world.resident.email, TEST_PASSWORD)
    html = client.get(f"/bestellungen/{order.id}/danke").get_data(as_text=True)
    due = get_invoice_due(order.id).due_at
    assert 'id="invoice-due"' in html and "fällig am" in html and f"{due:%d.%m.%y}" in html
    assert f'href="/bestellungen/{order.id}/beleg"' in html
    assert 'id="invoice-due"' not in client.get(f"/bestellungen/{cash.id}/danke").get_data(as_text=True)
