"""A producer's payout statement for a month: delivered lines, the platform's fee, credit notes,
what is due, as figures for the page, CSV and PDF.

A line counts in the month of its delivery day once its order has been delivered (delivered,
picked up, not collected or returned: the producer's goods left its hands either way). The
fee is the region's share of the goods less what credit notes took back, so it matches the
platform's fee invoices less their credit notes. Transfers (Stripe Connect) are not part of
this statement yet: their records do not exist on this branch.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, gettext
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from marketplace.core.clock import to_local
from marketplace.core.money import format_cents, split_share
from marketplace.extensions import db
from marketplace.notifications.slip import _latin1
from marketplace.orders.models import Order, OrderStatus, ProducerOrder
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.regions.models import Region, SubRegion

DELIVERED = (OrderStatus.DELIVERED, OrderStatus.PICKED_UP, OrderStatus.NOT_COLLECTED, OrderStatus.RETURNED)
CSV_COLUMNS = ("order_number", "delivery_date", "goods_cents", "credited_cents", "fee_cents", "due_cents")


@dataclass(frozen=True)
class StatementLine:
    order_id: int
    order_number: str
    delivery_date: date
    goods_cents: int
    credited_cents: int
    fee_cents: int

    @property
    def due_cents(self) -> int:
        return self.goods_cents - self.credited_cents - self.fee_cents


@dataclass(frozen=True)
class Statement:
    producer_id: int
    producer_name: str
    month: date
    lines: list[StatementLine]
    credit_notes: list[Invoice]

    def total(self, field: str) -> int:
        return sum(getattr(line, field) for line in self.lines)


def parse_month(text: str) -> date | None:
    """'2026-03' → 1 March 2026; anything else → None."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            return None
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def _credited_by_order(producer_id: int, order_ids: list[int]) -> dict[int, int]:
    original = aliased(Invoice)
    rows = db.session.execute(
        select(Invoice.order_id, func.sum(Invoice.total_cents))
        .join(original, original.id == Invoice.refers_to_id)
        .where(Invoice.kind == InvoiceKind.CREDIT_NOTE, original.kind == InvoiceKind.SALE,
               Invoice.producer_id == producer_id, Invoice.order_id.in_(order_ids))
        .group_by(Invoice.order_id)
    )
    return dict(rows.all())


def list_month_credit_notes(producer_id: int, month: date) -> list[Invoice]:
    """Credit notes on the producer's sales issued in the month (Berlin time)."""
    original = aliased(Invoice)
    notes = db.session.scalars(
        select(Invoice).join(original, original.id == Invoice.refers_to_id)
        .where(Invoice.kind == InvoiceKind.CREDIT_NOTE, original.kind == InvoiceKind.SALE,
               Invoice.producer_id == producer_id)
        .order_by(Invoice.issued_at, Invoice.id)
    )
    return [n for n in notes if to_local(n.issued_at).date().replace(day=1) == month]


def get_statement(*, producer, month: date) -> Statement:
    rows = db.session.execute(
        select(ProducerOrder.order_id, Order.number, Order.delivery_date, ProducerOrder.items_total_cents,
               Region.platform_fee_permille)
        .join(Order, Order.id == ProducerOrder.order_id)
        .join(SubRegion, SubRegion.id == Order.sub_region_id)
        .join(Region, Region.id == SubRegion.region_id)
        .where(ProducerOrder.producer_id == producer.id, Order.status.in_(DELIVERED),
               Order.delivery_date >= month, Order.delivery_date < next_month(month))
        .order_by(Order.delivery_date, Order.id)
    ).all()
    credited = _credited_by_order(producer.id, [row.order_id for row in rows])
    lines = []
    for row in rows:
        back = credited.get(row.order_id, 0)
        fee, _ = split_share(row.items_total_cents - back, row.platform_fee_permille)
        lines.append(StatementLine(row.order_id, row.number, row.delivery_date, row.items_total_cents, back, fee))
    return Statement(producer.id, producer.name, month, lines, list_month_credit_notes(producer.id, month))


def statement_csv(statement: Statement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in statement.lines:
        writer.writerow((line.order_number, line.delivery_date.isoformat(), line.goods_cents,
                         line.credited_cents, line.fee_cents, line.due_cents))
    writer.writerow(("total", "", statement.total("goods_cents"), statement.total("credited_cents"),
                     statement.total("fee_cents"), statement.total("due_cents")))
    return buffer.getvalue()


def statement_pdf(statement: Statement, *, locale: str = "de") -> bytes:
    def money(cents: int) -> str:
        return _latin1(format_cents(cents, locale))

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    with force_locale(locale):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 7, _latin1(gettext("Abrechnung %(month)s: %(name)s", month=f"{statement.month:%m/%Y}",
                                             name=statement.producer_name)), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        widths = (40, 26, 26, 26, 26, 30)
        heads = (gettext("Bestellung"), gettext("Liefertag"), gettext("Waren"), gettext("Gutschrift"),
                 gettext("Gebühr"), gettext("Auszahlung"))
        pdf.set_font("Helvetica", "B", 9)
        for width, head in zip(widths, heads, strict=True):
            pdf.cell(width, 6, _latin1(head), border="B")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        rows = [(line.order_number, f"{line.delivery_date:%d.%m.%Y}", money(line.goods_cents),
                 money(line.credited_cents), money(line.fee_cents), money(line.due_cents))
                for line in statement.lines]
        rows.append((gettext("Summe"), "", money(statement.total("goods_cents")),
                     money(statement.total("credited_cents")), money(statement.total("fee_cents")),
                     money(statement.total("due_cents"))))
        for row in rows:
            for column, (width, text) in enumerate(zip(widths, row, strict=True)):
                pdf.cell(width, 6, _latin1(text), align="R" if column >= 2 else "L")
            pdf.ln()
        if statement.credit_notes:
            pdf.ln(4)
            pdf.set_font("Helvetica", "B", 10)
            pdf.cell(0, 6, _latin1(gettext("Rechnungskorrekturen im Monat")), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            for note in statement.credit_notes:
                pdf.cell(0, 5, _latin1(f"{note.display_number} ({note.refers_to.display_number}, "
                                       f"{note.order.number}): {format_cents(note.total_cents, locale)}"),
                         new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def list_fee_invoices(producer_id: int, order_ids: list[int]) -> dict[int, Invoice]:
    """The platform's fee invoice to the producer per order (order id → invoice)."""
    return {i.order_id: i for i in db.session.scalars(
        select(Invoice).where(Invoice.kind == InvoiceKind.PLATFORM_FEE, Invoice.producer_id == producer_id,
                              Invoice.order_id.in_(order_ids)))}
