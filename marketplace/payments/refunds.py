"""Refunds of exactly the affected amount, once per cause, never above what was captured.

Callers pass plain values: `refund_amount(order_id=…, amount_cents=…, key=…)` or
`refund_lines(order_id=…, lines=[(order_line_id, quantity), …])` (short lines, cancellations,
expired pickups, a payment after its window). `key` names the cause ("short:line:17",
"cancelled", "late_payment"); a second call with the same key (a double click, a retry, a
concurrent job) returns the first refund. The payment's row is locked while a refund is made,
and the gateway gets an idempotency key from the payment and the key, so a crash between
Stripe's refund and the commit repeats nothing. A refund of a producer's goods reverses that
producer's share of a transfer already sent. Orders paid on pickup or by invoice have no online
payment: they get credit notes instead (the invoices module), and these functions return None.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.orders.models import OrderLine
from marketplace.payments.fees import platform_fee
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import Payment, PaymentStatus, Refund, Transfer, TransferStatus
from marketplace.payments.online import PaymentUnavailable, get_payment

# The cause of a refund for a weighed line lighter than ordered: the line's total already left
# the difference out, so the producer's transfer and statement do not take it off again.
WEIGHT_REASON = "weight"


class RefundTooLarge(Conflict):
    code = "refund_too_large"
    message = N_("Es kann nicht mehr erstattet werden, als bezahlt wurde.")


class InvalidRefund(InvalidInput):
    code = "invalid_refund"
    message = N_("Diese Erstattung ist nicht möglich.")


def _existing(payment: Payment, key: str) -> Refund | None:
    return db.session.scalars(select(Refund).where(Refund.payment_id == payment.id, Refund.key == key)).first()


def _reverse_share(payment: Payment, refund: Refund, *, gateway) -> None:
    transfer = db.session.scalars(select(Transfer).where(
        Transfer.order_id == payment.order_id, Transfer.producer_id == refund.producer_id,
    ).with_for_update()).first()
    if transfer is None or transfer.status != TransferStatus.SENT:
        return  # not paid out yet: the transfer will leave the refunded goods out
    share = refund.amount_cents - platform_fee(refund.amount_cents, payment.order.sub_region.region, count=False)
    amount = min(share, transfer.amount_cents - transfer.reversed_cents)
    if amount <= 0:
        return
    gateway.reverse_transfer(transfer.stripe_transfer_id, amount=amount,
                             idempotency_key=f"landkorb-refund-{refund.id}-reversal")
    transfer.reversed_cents += amount
    refund.reversed_cents = amount


def refund_amount(*, order_id: int, amount_cents: int, key: str, reason: str, now: datetime,
                  producer_id: int | None = None) -> Refund | None:
    """Refund `amount_cents` of the order's online payment for the cause `key` (once)."""
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0 \
            or not key or len(key) > 120:
        raise InvalidRefund()
    payment = get_payment(order_id, lock=True)
    if payment is None:
        return None
    db.session.refresh(payment)  # the locked row as it is now, not as this session last saw it
    existing = _existing(payment, key)
    if existing is not None:
        return existing
    if payment.status != PaymentStatus.SUCCEEDED:
        raise InvalidRefund()
    if payment.refunded_cents + amount_cents > payment.captured_cents:
        raise RefundTooLarge()
    gateway = get_gateway()
    if gateway is None:
        raise PaymentUnavailable()
    refund = Refund(payment_id=payment.id, key=key, amount_cents=amount_cents, reason=reason,
                    producer_id=producer_id, created_at=now)
    db.session.add(refund)
    payment.refunded_cents += amount_cents
    payment.updated_at = now
    db.session.flush()
    try:
        refund.stripe_refund_id = gateway.refund(
            intent_id=payment.intent_id, amount=amount_cents,
            metadata={"order_number": payment.order.number, "reason": reason},
            idempotency_key=f"landkorb-refund-{payment.id}-{key}",
        )
        if producer_id is not None:
            _reverse_share(payment, refund, gateway=gateway)
    except GatewayError:
        raise PaymentUnavailable() from None
    db.session.flush()
    return refund


def refund_lines(*, order_id: int, lines: Iterable[tuple[int, int]], reason: str, now: datetime) -> list[Refund]:
    """Refund `quantity` units of each order line (short or not collected goods), one refund per
    line and cause, each reversing its producer's share where it was paid out."""
    wanted = list(lines)
    by_id = {line.id: line for line in db.session.scalars(
        select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.id.in_([i for i, _ in wanted]))
    ).all()}
    refunds = []
    for line_id, quantity in wanted:
        line = by_id.get(line_id)
        if line is None or not isinstance(quantity, int) or not 0 < quantity <= line.quantity:
            raise InvalidRefund()
        refund = refund_amount(
            order_id=order_id, amount_cents=quantity * line.unit_price_cents, key=f"{reason}:line:{line_id}",
            reason=reason, now=now, producer_id=line.producer_order.producer_id,
        )
        if refund is not None:
            refunds.append(refund)
    return refunds
