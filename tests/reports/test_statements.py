"""The producer's monthly payout statement: delivered lines, fee, credit notes; page, PDF, CSV."""
from __future__ import annotations

from datetime import date

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.orders.transitions import move_order
from marketplace.payments.credit_notes import credit_order_lines
from marketplace.payments.invoice_models import InvoiceKind
from marketplace.payments.invoices import list_order_invoices
from marketplace.reports.statements import get_statement, parse_month
from tests import factories as f
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.payments.invoice_helpers import order_bread_and_wine

MARCH = date(2026, 3, 1)


@pytest.fixture
def world(db):
    return make_world()


def _deliver(order, now):
    for status in (OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED):
        move_order(order, status, now=now)
    db.session.commit()


@pytest.fixture
def month(world, now):
    """Producer A: one delivered order (6 breads, 2 credited as short), one only confirmed."""
    delivered = order_bread_and_wine(world, now, bread=6)
    bread = next(line for line in delivered.lines if line.product_id == world.bread.id)
    credit_order_lines(order=delivered, quantities={bread.id: 2}, reason="Fehlmenge", now=now)
    _deliver(delivered, now)
    order_bread_and_wine(world, now, bread=1, wine=0)
    return delivered


def test_the_statement_counts_delivered_lines_less_credit_notes_and_the_fee(world, now, month):
    statement = get_statement(producer=world.producer_a, month=MARCH)
    [line] = statement.lines
    assert (line.order_number, line.goods_cents, line.credited_cents, line.fee_cents, line.due_cents) == (
        month.number, 2700, 900, 180, 1620)
    [note] = statement.credit_notes
    assert note.total_cents == 900 and note.refers_to.kind == InvoiceKind.SALE
    # The fee matches the platform's fee invoice less its credit note.
    fee = next(i for i in list_order_invoices(month.id)
               if i.kind == InvoiceKind.PLATFORM_FEE and i.producer_id == world.producer_a.id)
    credits = [i for i in list_order_invoices(month.id) if i.refers_to_id == fee.id]
    assert fee.total_cents - sum(c.total_cents for c in credits) == line.fee_cents
    assert get_statement(producer=world.producer_a, month=date(2026, 4, 1)).lines == []


def test_the_producer_gets_its_statement_as_page_csv_and_pdf(client, world, now, month):
    login(client, f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id).email, TEST_PASSWORD)
    base = f"/erzeuger/{world.producer_a.id}/abrechnung"
    assert client.get(base).status_code == 302
    html = client.get(f"{base}/2026-03").get_data(as_text=True)
    assert month.number in html and "16,20" in html
    csv = client.get(f"{base}/2026-03.csv")
    assert csv.mimetype == "text/csv"
    rows = csv.get_data(as_text=True).splitlines()
    assert rows[0] == "order_number;delivery_date;goods_cents;credited_cents;fee_cents;due_cents"
    assert rows[1] == f"{month.number};2026-03-03;2700;900;180;1620"
    pdf = client.get(f"{base}/2026-03.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_another_producers_statement_is_404(client, world, now, month):
    login(client, f.make_user(role=Role.PRODUCER, scope_id=world.producer_b.id).email, TEST_PASSWORD)
    for suffix in ("", "/2026-03", "/2026-03.csv", "/2026-03.pdf"):
        assert client.get(f"/erzeuger/{world.producer_a.id}/abrechnung{suffix}").status_code == 404
    assert client.get(f"/erzeuger/{world.producer_b.id}/abrechnung/2026-03").status_code == 200


@pytest.mark.parametrize("month_text", ["2026-13", "2026-3", "März", "2026-03-01", "0000-01"])
def test_a_bad_month_is_404(client, world, now, month_text):
    login(client, f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id).email, TEST_PASSWORD)
    assert client.get(f"/erzeuger/{world.producer_a.id}/abrechnung/{month_text}").status_code == 404


def test_parse_month():
    assert parse_month("2026-03") == MARCH
    assert parse_month("2026-00") is None and parse_month("") is None
