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

The refund is written in the transaction of its cause, which commits whatever the gateway says:
the refund is made at once when the gateway answers, else it stays owed (and counts as refunded
in the payment's sums, so nothing refunds it twice or above the capture) and `make_owed_refunds`
(the job `make_owed_refunds`) makes it later, with the same idempotency key.
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
from marketplace.payments.models import Payment, PaymentStatus, Refund, RefundStatus, Transfer, TransferStatus
from marketplace.payments.online import get_payment

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


def _book_reversal(payment: Payment, refund: Refund) -> None:
    """The producer's share that the refund takes back from a transfer already sent: booked with
    the refund, reversed at the gateway when the refund is made."""
    transfer = db.session.scalars(select(Transfer).where(
        Transfer.order_id == payment.order_id, Transfer.producer_id == refund.producer_id,
    ).with_for_update()).first()
    if transfer is None or transfer.status != TransferStatus.SENT:
        return  # not paid out yet: the transfer will leave the refunded goods out
    share = refund.amount_cents - platform_fee(refund.amount_cents, payment.order.sub_region.region, count=False)
    amount = min(share, transfer.amount_cents - transfer.reversed_cents)
    if amount > 0:
        transfer.reversed_cents += amount
        refund.reversed_cents = amount


def _make(refund: Refund, payment: Payment, *, gateway) -> bool:
    """Refund at the gateway, then reverse the booked share; True when both are done. A refund
    the gateway does not make stays owed, with what the gateway said."""
    if gateway is None:
        refund.last_error = "no payment gateway configured"
        return False
    try:
        if refund.stripe_refund_id is None:
            refund.stripe_refund_id = gateway.refund(
                intent_id=payment.intent_id, amount=refund.amount_cents,
                metadata={"order_number": payment.order.number, "reason": refund.reason},
                idempotency_key=f"landkorb-refund-{payment.id}-{refund.key}",
            )
        if refund.reversed_cents:
            transfer = db.session.scalars(select(Transfer).where(
                Transfer.order_id == payment.order_id, Transfer.producer_id == refund.producer_id)).one()
            gateway.reverse_transfer(transfer.stripe_transfer_id, amount=refund.reversed_cents,
                                     idempotency_key=f"landkorb-refund-{refund.id}-reversal")
    except GatewayError as error:
        refund.last_error = (f"{error.code}: {error}" if error.code else str(error))[:200]
        return False
    refund.status, refund.last_error = RefundStatus.MADE, None
    return True


def refund_amount(*, order_id: int, amount_cents: int, key: str, reason: str, now: datetime,
                  producer_id: int | None = None) -> Refund | None:
    """Refund `amount_cents` of the order's online payment for the cause `key` (once): made at
    once when the gateway answers, else owed (`Refund.status`) for `make_owed_refunds`."""
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
    refund = Refund(payment_id=payment.id, key=key, amount_cents=amount_cents, reason=reason,
                    producer_id=producer_id, status=RefundStatus.OWED, created_at=now)
    db.session.add(refund)
    payment.refunded_cents += amount_cents
    payment.updated_at = now
    db.session.flush()
    if producer_id is not None:
        _book_reversal(payment, refund)
    _make(refund, payment, gateway=get_gateway())
    db.session.flush()
    return refund


def make_owed_refunds(*, now: datetime) -> int:
    """Make every owed refund the gateway answers for (the job `make_owed_refunds`), oldest
    first, each under its payment's lock and committed on its own; returns how many were made.
    One made meanwhile (a concurrent run) is skipped; one the gateway refuses stays owed."""
    gateway = get_gateway()
    if gateway is None:
        return 0
    owed = db.session.execute(select(Refund.id, Payment.order_id).join(Payment).where(
        Refund.status == RefundStatus.OWED).order_by(Refund.id)).all()
    db.session.commit()
    made = 0
    for refund_id, order_id in owed:
        payment = get_payment(order_id, lock=True)  # after a concurrent run's commit, if any
        refund = db.session.get(Refund, refund_id, populate_existing=True)
        if refund.status == RefundStatus.OWED and _make(refund, payment, gateway=gateway):
            made += 1
        db.session.commit()
    return made


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
