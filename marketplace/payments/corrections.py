"""What the payments do when goods are not delivered or not collected: a refund of exactly their
worth for an order paid online, a credit note on its invoice for one paid on pickup or by invoice.

Two hooks of the orders, which may not import the payments: `packing.on_lines_short` (a
producer marks a line short, or declines a day below its minimum) and `on_enter(NOT_COLLECTED)`
(goods expired at their pickup place, or given up by the staff). Both run in the transaction of
the change and are safe to repeat: a short line is refunded up to its short units (the key names
the line and the units, "short:line:17:2"), goods not collected once per line
("not_collected:line:17"), and credit notes up to what the invoice still bills. What was
refunded or credited cannot be taken back, so a short quantity may not drop below it. Neither
waits for the gateway to come back: a refund it does not make is owed, and made by the job
`make_owed_refunds` (`refunds.py`).

Goods nobody collected are refunded or credited by their region's rule: chilled and frozen goods
only where `Region.refund_expired_perishables` says so, everything else always. A weighed line
lighter than ordered is refunded the difference when its order is delivered and paid out
(`refund_weight_differences`, called by the payouts): until then it may be weighed again.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from marketplace.catalog.models import Temperature
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, PaymentMethod
from marketplace.orders.packing import on_lines_short
from marketplace.orders.transitions import on_enter
from marketplace.payments.credit_notes import CREDITED_METHODS, credit_order_lines, credited_quantities
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.payments.models import Payment, PaymentStatus, Refund
from marketplace.payments.online import get_payment
from marketplace.payments.refunds import WEIGHT_REASON, refund_amount

PERISHABLE = frozenset({Temperature.CHILLED, Temperature.FROZEN})


class ShortAlreadyRefunded(Conflict):
    code = "short_already_refunded"
    message = N_("Für %(units)s Stück ist schon erstattet oder gutgeschrieben; die Fehlmenge kann nicht kleiner werden.")


def is_perishable(line: OrderLine) -> bool:
    return line.temperature in PERISHABLE


def is_refunded_when_not_collected(line: OrderLine, *, refund_perishables: bool) -> bool:
    """The region's rule: goods that keep always, chilled and frozen ones where the region says so."""
    return line.packed_quantity > 0 and (refund_perishables or not is_perishable(line))


def _paid_online(order: Order) -> Payment | None:
    """The order's succeeded online payment, its row locked and read as it is now."""
    if order.payment_method != PaymentMethod.STRIPE:
        return None
    payment = get_payment(order.id, lock=True)
    if payment is None:
        return None
    db.session.refresh(payment)
    return payment if payment.status == PaymentStatus.SUCCEEDED else None


def _sales_locked(order: Order) -> dict[int, Invoice]:
    """The producers' invoices of an order credited on pickup or invoice, locked (one credit at a
    time per invoice), by producer; {} for an order without them."""
    if order.payment_method not in CREDITED_METHODS:
        return {}
    invoices = db.session.scalars(select(Invoice).where(
        Invoice.order_id == order.id, Invoice.kind == InvoiceKind.SALE,
    ).order_by(Invoice.producer_id).with_for_update()).all()
    return {invoice.producer_id: invoice for invoice in invoices}


def short_refunded_cents(payment_id: int, line_id: int) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
        Refund.payment_id == payment_id, Refund.key.like(f"short:line:{line_id}:%")))


def _refund_short(order: Order, payment: Payment, lines: list[OrderLine], *, now: datetime) -> None:
    for line in lines:
        refunded = short_refunded_cents(payment.id, line.id)
        if line.short_cents < refunded:
            raise ShortAlreadyRefunded(units=-(-refunded // line.unit_price_cents))
        if line.short_cents > refunded:
            refund_amount(order_id=order.id, amount_cents=line.short_cents - refunded,
                          key=f"short:line:{line.id}:{line.short_quantity}", reason="short", now=now,
                          producer_id=line.producer_order.producer_id)
    if order.status == OrderStatus.CANCELLED:
        # Nothing left to deliver: the rest (the delivery fee) goes back too, as on a cancellation.
        left = payment.captured_cents - payment.refunded_cents
        if left > 0:
            refund_amount(order_id=order.id, amount_cents=left, key="cancelled", reason="cancelled", now=now)


def _credit_short(order: Order, lines: list[OrderLine], *, now: datetime) -> None:
    sales = _sales_locked(order)
    quantities = {}
    for line in lines:
        sale = sales.get(line.producer_order.producer_id)
        if sale is None:
            continue
        credited = credited_quantities(sale.id).get(line.id, 0)
        if line.short_quantity < credited:
            raise ShortAlreadyRefunded(units=credited)
        if line.short_quantity > credited:
            quantities[line.id] = line.short_quantity - credited
    if quantities:
        credit_order_lines(order=order, quantities=quantities, reason="Fehlmenge", now=now)


def settle_short_lines(order: Order, lines: list[OrderLine], *, now: datetime) -> None:
    """Refund (online) or credit (pay on pickup, invoice) the short units of `lines`; refuses
    with ShortAlreadyRefunded a short quantity below what was refunded or credited before."""
    payment = _paid_online(order)
    if payment is not None:
        _refund_short(order, payment, lines, now=now)
    else:
        _credit_short(order, lines, now=now)


def settle_not_collected(order: Order, *, now: datetime) -> None:
    """Refund or credit the goods of an order nobody collected, by the region's rule."""
    rule = order.sub_region.region.refund_expired_perishables
    lines = [line for line in order.lines if is_refunded_when_not_collected(line, refund_perishables=rule)]
    if not lines:
        return
    payment = _paid_online(order)
    if payment is not None:
        for line in lines:
            # What was paid for the packed units: a weighed line lighter than ordered costs less.
            amount = min(line.total_cents, line.packed_quantity * line.unit_price_cents,
                         payment.captured_cents - payment.refunded_cents)
            if amount > 0:
                refund_amount(order_id=order.id, amount_cents=amount, key=f"not_collected:line:{line.id}",
                              reason="not_collected", now=now, producer_id=line.producer_order.producer_id)
        return
    sales = _sales_locked(order)
    quantities = {}
    for line in lines:
        sale = sales.get(line.producer_order.producer_id)
        if sale is not None:
            left = line.quantity - credited_quantities(sale.id).get(line.id, 0)
            if left > 0:
                quantities[line.id] = left
    if quantities:
        credit_order_lines(order=order, quantities=quantities, reason="Nicht abgeholt", now=now)


def refund_weight_differences(order: Order, *, now: datetime) -> None:
    """Refund what weighed lines of a delivered order cost less than was paid for them (the job
    that pays producers, before their transfers); once per line, never what costs more."""
    payment = _paid_online(order)
    if payment is None:
        return
    for line in order.lines:
        difference = line.packed_quantity * line.unit_price_cents - line.total_cents
        if line.weight_grams is not None and difference > 0:
            refund_amount(order_id=order.id, amount_cents=difference, key=f"{WEIGHT_REASON}:line:{line.id}",
                          reason=WEIGHT_REASON, now=now, producer_id=line.producer_order.producer_id)


on_lines_short(settle_short_lines)
on_enter(OrderStatus.NOT_COLLECTED, settle_not_collected)
