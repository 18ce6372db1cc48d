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
from marketplace.payments.payouts import pay_out_delivered
from marketplace.reports.statements import get_statement, parse_month
from tests import factories as f
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world
from tests.payments.conftest import fake  # noqa: F401  (the in-process gateway)
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
    assert rows[0] == "order_number;delivery_date;goods_cents;credited_cents;refunded_cents;fee_cents;due_cents"
    assert rows[1] == f"{month.number};2026-03-03;2700;900;0;180;1620"
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


# -- orders paid online: refunds and the month's transfers ------------------------------------------

@pytest.fixture
def paid_month(world, now, fake):  # noqa: F811  (the fixture imported above)
    """Producer A, paid online: 6 breads with 2 short (refunded), and 2 breads nobody collected
    after their transfer was sent (refunded, the transfer reversed)."""
    from marketplace.orders.packing import mark_line_short
    from tests.payments.helpers import onboard, paid_order

    onboard(world.producer_a, fake, now)
    short = paid_order(world, fake, now, [(world.bread.id, 6)])
    mark_line_short(line=short.lines[0], short_quantity=2, actor=None, now=now)
    _deliver(short, now)
    uncollected = paid_order(world, fake, now, [(world.bread.id, 2)])
    _deliver(uncollected, now)
    assert pay_out_delivered(now=now) == 2
    move_order(uncollected, OrderStatus.NOT_COLLECTED, now=now)
    db.session.commit()
    return short, uncollected


def test_the_statement_takes_refunds_off_and_lists_the_months_transfers(world, now, paid_month):
    short, uncollected = paid_month
    statement = get_statement(producer=world.producer_a, month=MARCH)
    assert [(line.order_number, line.goods_cents, line.credited_cents, line.refunded_cents, line.fee_cents,
             line.due_cents) for line in statement.lines] == [
        (short.number, 2700, 0, 900, 180, 1620), (uncollected.number, 900, 0, 900, 0, 0)]
    assert [(t.on, t.order_number, t.amount_cents, t.reversed_cents, t.status) for t in statement.transfers] == [
        (date(2026, 3, 2), short.number, 1620, 0, "sent"), (date(2026, 3, 2), uncollected.number, 810, 810, "sent")]
    assert get_statement(producer=world.producer_a, month=date(2026, 4, 1)).transfers == []
    assert get_statement(producer=world.producer_b, month=MARCH).transfers == []


def _producer_client(client, world):
    login(client, f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id).email, TEST_PASSWORD)
    return f"/erzeuger/{world.producer_a.id}/abrechnung/2026-03"


def test_the_page_shows_refunds_and_transfers(client, world, now, paid_month):
    short, uncollected = paid_month
    html = client.get(_producer_client(client, world)).get_data(as_text=True)
    transfers = html[html.index("Überweisungen im Monat"):]
    assert short.number in transfers and "16,20" in transfers and "8,10" in transfers
    assert "überwiesen" in transfers and "9,00" in html[:html.index("Überweisungen im Monat")]


def test_the_csv_has_the_refunds_and_the_transfers_after_the_lines(client, world, now, paid_month):
    short, uncollected = paid_month
    rows = client.get(_producer_client(client, world) + ".csv").get_data(as_text=True).split("\r\n")
    assert rows[1] == f"{short.number};2026-03-03;2700;0;900;180;1620"
    assert rows[3] == "total;;3600;0;1800;180;1620"
    assert rows[4:8] == ["", "transfer_date;order_number;amount_cents;reversed_cents;status",
                         f"2026-03-02;{short.number};1620;0;sent", f"2026-03-02;{uncollected.number};810;810;sent"]


def test_the_pdf_lists_the_transfers(client, world, now, paid_month):
    from io import BytesIO

    from pypdf import PdfReader

    short, uncollected = paid_month
    response = client.get(_producer_client(client, world) + ".pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Überweisungen im Monat" in text and "Erstattet" in text
    assert uncollected.number in text and "8,10" in text and "16,20" in text
