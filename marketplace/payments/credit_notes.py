"""Credit notes for orders paid on pickup or by invoice: short lines and cancellations.

No money went online for these orders, so nothing is refunded: the invoice is corrected by a
credit note that names it, with its own number in the seller's credit series. Crediting a
producer's goods also credits the platform's fee on them to the producer.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import func, select

from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.core.money import split_share
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.transitions import on_enter
from marketplace.payments.invoice_models import Invoice, InvoiceKind, InvoiceLine
from marketplace.payments.invoices import (
    LineValues,
    Party,
    fee_description,
    fee_permille,
    list_order_invoices,
    new_invoice,
    series_of,
)

CREDITED_METHODS = frozenset({PaymentMethod.PAY_ON_PICKUP, PaymentMethod.INVOICE})


class CreditNotApplicable(Conflict):
    code = "credit_not_applicable"
    message = N_("Für diese Bestellung gibt es keine Rechnung, die korrigiert werden kann.")


class InvalidCredit(InvalidInput):
    code = "invalid_credit"
    message = N_("Diese Menge kann nicht gutgeschrieben werden.")


def credited_cents(invoice_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(Invoice.refers_to_id == invoice_id)
    )


def credited_quantities(invoice_id: int) -> dict[int, int]:
    """Per order line, how much of an invoice its credit notes have taken back."""
    rows = db.session.execute(
        select(InvoiceLine.order_line_id, func.sum(InvoiceLine.quantity))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.refers_to_id == invoice_id, InvoiceLine.order_line_id.is_not(None))
        .group_by(InvoiceLine.order_line_id)
    )
    return {line_id: quantity for line_id, quantity in rows}


def _credit(invoice: Invoice, lines: list[LineValues], *, reason: str, now: datetime) -> Invoice:
    return new_invoice(
        kind=InvoiceKind.CREDIT_NOTE, series=series_of(invoice.producer_id if invoice.kind == InvoiceKind.SALE
                                                       else None, credit=True),
        order=invoice.order, seller=Party(invoice.seller_name, invoice.seller_address),
        buyer=Party(invoice.buyer_name, invoice.buyer_address, invoice.buyer_organisation,
                    invoice.buyer_reference),
        lines=lines, now=now, producer_id=invoice.producer_id, buyer_user_id=invoice.buyer_user_id,
        small_business=invoice.is_small_business, refers_to=invoice, reason=reason,
    )


def _credit_fee(order: Order, fee_invoice: Invoice | None, goods_before: int, goods_after: int,
                *, reason: str, now: datetime) -> Invoice | None:
    """The platform's fee on the goods no longer sold, as the fee on what stays (no rounding drift)."""
    if fee_invoice is None:
        return None
    permille = fee_permille(order)
    amount = split_share(goods_before, permille)[0] - split_share(goods_after, permille)[0]
    amount = min(amount, fee_invoice.total_cents - credited_cents(fee_invoice.id))
    if amount <= 0:
        return None
    vat_rate = fee_invoice.lines[0].vat_rate
    return _credit(fee_invoice, [LineValues(fee_description(order, permille), 1, amount, vat_rate)],
                   reason=reason, now=now)


def _invoices_to_credit(order: Order) -> list[Invoice]:
    if order.payment_method not in CREDITED_METHODS:
        raise CreditNotApplicable()
    invoices = [i for i in list_order_invoices(order.id) if not i.is_credit_note]
    if not invoices:
        raise CreditNotApplicable()
    return invoices


def credit_order_lines(*, order: Order, quantities: Mapping[int, int], reason: str,
                       now: datetime) -> list[Invoice]:
    """Credit `quantities` (order line id → units not delivered) of an order; flushes.

    One credit note per producer invoice concerned, and one for the platform's fee on it.
    Refuses (nothing written) a line of another order, a quantity that is not a whole
    positive number, or more than the invoice still bills."""
    invoices = _invoices_to_credit(order)
    sales = {i.producer_id: i for i in invoices if i.kind == InvoiceKind.SALE}
    fees = {i.producer_id: i for i in invoices if i.kind == InvoiceKind.PLATFORM_FEE}
    lines_by_id = {line.id: line for line in order.lines}
    by_producer: dict[int, list[LineValues]] = {}
    already: dict[int, dict[int, int]] = {}
    if not quantities:
        raise InvalidCredit()
    for line_id, quantity in quantities.items():
        line = lines_by_id.get(line_id) if isinstance(line_id, int) else None
        if line is None or not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
            raise InvalidCredit()
        producer_id = line.producer_order.producer_id
        invoice = sales.get(producer_id)
        if invoice is None:
            raise CreditNotApplicable()
        taken = already.setdefault(invoice.id, credited_quantities(invoice.id))
        if taken.get(line_id, 0) + quantity > line.quantity:
            raise InvalidCredit()
        by_producer.setdefault(producer_id, []).append(
            LineValues(line.product_name, quantity, line.unit_price_cents, line.vat_rate, line.id)
        )
    # All producers' credit series in ascending id first, then the platform's: one lock order.
    notes = {}
    for producer_id in sorted(by_producer):
        invoice = sales[producer_id]
        goods_before = invoice.total_cents - credited_cents(invoice.id)
        notes[producer_id] = (goods_before, _credit(invoice, by_producer[producer_id], reason=reason, now=now))
    issued = [note for _, note in notes.values()]
    for producer_id, (goods_before, note) in notes.items():
        fee_note = _credit_fee(order, fees.get(producer_id), goods_before,
                               goods_before - note.total_cents, reason=reason, now=now)
        if fee_note is not None:
            issued.append(fee_note)
    return issued


def credit_whole_order(*, order: Order, reason: str, now: datetime) -> list[Invoice]:
    """Credit what every invoice of the order still bills (a cancellation); flushes."""
    invoices = _invoices_to_credit(order)
    issued = []
    # Producers' credit series in ascending producer id, then the platform's: one lock order.
    for invoice in sorted(invoices, key=lambda i: (i.kind != InvoiceKind.SALE, i.producer_id or 0, i.id)):
        if invoice.kind == InvoiceKind.SALE:
            taken = credited_quantities(invoice.id)
            lines = [
                LineValues(line.description, line.quantity - taken.get(line.order_line_id, 0),
                           line.unit_price_cents, line.vat_rate, line.order_line_id)
                for line in invoice.lines if line.quantity > taken.get(line.order_line_id, 0)
            ]
        else:
            left = invoice.total_cents - credited_cents(invoice.id)
            line = invoice.lines[0]
            lines = [LineValues(line.description, 1, left, line.vat_rate)] if left > 0 else []
        if lines:
            issued.append(_credit(invoice, lines, reason=reason, now=now))
    return issued


def _credit_cancelled(order: Order, *, now: datetime) -> None:
    if order.payment_method in CREDITED_METHODS and list_order_invoices(order.id):
        credit_whole_order(order=order, reason="Stornierung", now=now)


on_enter(OrderStatus.CANCELLED, _credit_cancelled)
