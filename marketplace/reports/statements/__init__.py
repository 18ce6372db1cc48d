"""A producer's payout statement for a month: delivered lines, the platform's fee, credit notes,
refunds, what is due, and the month's transfers, as figures for the page, CSV and PDF.

A line counts in the month of its delivery day once its order has been delivered (delivered,
picked up, not collected or returned: the producer's goods left its hands either way). Its
goods count the short units back in: their credit note (pay on pickup, invoice) or refund
(online) takes them off. The fee is the region's share of the goods less what credit notes and
refunds took back (for orders paid on pickup or by invoice: their fee invoices less their
credit notes). The
transfers (Stripe Connect) are those made in the month (Berlin time), with what refunds reversed.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, time

from flask_babel import force_locale, gettext
from fpdf import FPDF
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from marketplace.core.clock import local_datetime, to_local
from marketplace.core.money import format_cents, split_share
from marketplace.extensions import db
from marketplace.notifications.slip import _latin1
from marketplace.orders.models import Order, OrderLine, OrderStatus, ProducerOrder
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.payments.models import Payment, Refund, TransferStatus
from marketplace.payments.queries import list_transfers_of_producer
from marketplace.payments.refunds import WEIGHT_REASON
from marketplace.regions.models import Region, SubRegion

DELIVERED = (OrderStatus.DELIVERED, OrderStatus.PICKED_UP, OrderStatus.NOT_COLLECTED, OrderStatus.RETURNED)
CSV_COLUMNS = ("order_number", "delivery_date", "goods_cents", "credited_cents", "refunded_cents", "fee_cents",
               "due_cents")
CSV_TRANSFER_COLUMNS = ("transfer_date", "order_number", "amount_cents", "reversed_cents", "status")


@dataclass(frozen=True)
class StatementLine:
    order_id: int
    order_number: str
    delivery_date: date
    goods_cents: int
    credited_cents: int
    refunded_cents: int
    fee_cents: int

    @property
    def due_cents(self) -> int:
        return self.goods_cents - self.credited_cents - self.refunded_cents - self.fee_cents


@dataclass(frozen=True)
class StatementTransfer:
    on: date  # sent (or, waiting for the producer's account, written) on, Berlin time
    order_number: str
    amount_cents: int
    reversed_cents: int
    status: str

    @property
    def is_sent(self) -> bool:
        return self.status == TransferStatus.SENT


@dataclass(frozen=True)
class Statement:
    producer_id: int
    producer_name: str
    month: date
    lines: list[StatementLine]
    credit_notes: list[Invoice]
    transfers: list[StatementTransfer]

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


def _refunded_by_order(producer_id: int, order_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Payment.order_id, func.sum(Refund.amount_cents)).join(Payment, Payment.id == Refund.payment_id)
        .where(Refund.producer_id == producer_id, Payment.order_id.in_(order_ids), Refund.reason != WEIGHT_REASON)
        .group_by(Payment.order_id)
    )
    return dict(rows.all())


def list_month_transfers(producer_id: int, month: date) -> list[StatementTransfer]:
    """The producer's transfers made in the month (Berlin time), oldest first."""
    transfers = list_transfers_of_producer(producer_id, since=local_datetime(month, time()),
                                           until=local_datetime(next_month(month), time()))
    return [StatementTransfer(to_local(t.sent_at or t.created_at).date(), t.order.number, t.amount_cents,
                              t.reversed_cents, t.status.value) for t in transfers]


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
    # The goods with their short units counted back in: their credit note or refund takes them off.
    goods = (
        select(OrderLine.producer_order_id, func.sum(OrderLine.total_cents + OrderLine.short_cents).label("cents"))
        .group_by(OrderLine.producer_order_id).subquery()
    )
    rows = db.session.execute(
        select(ProducerOrder.order_id, Order.number, Order.delivery_date, goods.c.cents,
               Region.platform_fee_permille)
        .join(goods, goods.c.producer_order_id == ProducerOrder.id)
        .join(Order, Order.id == ProducerOrder.order_id)
        .join(SubRegion, SubRegion.id == Order.sub_region_id)
        .join(Region, Region.id == SubRegion.region_id)
        .where(ProducerOrder.producer_id == producer.id, Order.status.in_(DELIVERED),
               Order.delivery_date >= month, Order.delivery_date < next_month(month))
        .order_by(Order.delivery_date, Order.id)
    ).all()
    order_ids = [row.order_id for row in rows]
    credited = _credited_by_order(producer.id, order_ids)
    refunded = _refunded_by_order(producer.id, order_ids)
    lines = []
    for row in rows:
        back, refund = credited.get(row.order_id, 0), refunded.get(row.order_id, 0)
        fee, _ = split_share(max(row.cents - back - refund, 0), row.platform_fee_permille)
        lines.append(StatementLine(row.order_id, row.number, row.delivery_date, row.cents, back, refund, fee))
    return Statement(producer.id, producer.name, month, lines, list_month_credit_notes(producer.id, month),
                     list_month_transfers(producer.id, month))


def statement_csv(statement: Statement) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in statement.lines:
        writer.writerow((line.order_number, line.delivery_date.isoformat(), line.goods_cents,
                         line.credited_cents, line.refunded_cents, line.fee_cents, line.due_cents))
    writer.writerow(("total", "", *(statement.total(column) for column in CSV_COLUMNS[2:])))
    # The month's transfers follow after an empty row, with their own header.
    writer.writerow(())
    writer.writerow(CSV_TRANSFER_COLUMNS)
    for transfer in statement.transfers:
        writer.writerow((transfer.on.isoformat(), transfer.order_number, transfer.amount_cents,
                         transfer.reversed_cents, transfer.status))
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
        widths = (34, 22, 22, 22, 22, 22, 30)
        heads = (gettext("Bestellung"), gettext("Liefertag"), gettext("Waren"), gettext("Gutschrift"),
                 gettext("Erstattet"), gettext("Gebühr"), gettext("Auszahlung"))
        pdf.set_font("Helvetica", "B", 9)
        for width, head in zip(widths, heads, strict=True):
            pdf.cell(width, 6, _latin1(head), border="B")
        pdf.ln()
        pdf.set_font("Helvetica", "", 9)
        rows = [(line.order_number, f"{line.delivery_date:%d.%m.%Y}", money(line.goods_cents),
                 money(line.credited_cents), money(line.refunded_cents), money(line.fee_cents),
                 money(line.due_cents))
                for line in statement.lines]
        rows.append((gettext("Summe"), "", *(money(statement.total(column)) for column in CSV_COLUMNS[2:])))
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
        _pdf_transfers(pdf, statement, money)
    return bytes(pdf.output())


def _pdf_transfers(pdf: FPDF, statement: Statement, money) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _latin1(gettext("Überweisungen im Monat")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if not statement.transfers:
        pdf.cell(0, 5, _latin1(gettext("In diesem Monat wurde nichts überwiesen.")), new_x="LMARGIN", new_y="NEXT")
        return
    widths = (26, 40, 30, 30, 30)
    heads = (gettext("Datum"), gettext("Bestellung"), gettext("Betrag"), gettext("Zurückgebucht"),
             gettext("Stand"))
    for width, head in zip(widths, heads, strict=True):
        pdf.cell(width, 6, _latin1(head), border="B")
    pdf.ln()
    for transfer in statement.transfers:
        row = (f"{transfer.on:%d.%m.%Y}", transfer.order_number, money(transfer.amount_cents),
               money(transfer.reversed_cents),
               gettext("überwiesen") if transfer.is_sent else gettext("wartet auf Konto"))
        for column, (width, text) in enumerate(zip(widths, row, strict=True)):
            pdf.cell(width, 6, _latin1(text), align="R" if column in (2, 3) else "L")
        pdf.ln()


def list_fee_invoices(producer_id: int, order_ids: list[int]) -> dict[int, Invoice]:
    """The platform's fee invoice to the producer per order (order id → invoice)."""
    return {i.order_id: i for i in db.session.scalars(
        select(Invoice).where(Invoice.kind == InvoiceKind.PLATFORM_FEE, Invoice.producer_id == producer_id,
                              Invoice.order_id.in_(order_ids)))}
