"""Online payment of an order through the gateway (Stripe): start, follow, and end its window.

The order is placed and holds its stock (and compartment) while its PaymentIntent waits for
the resident, for `PAYMENT_WINDOW_MINUTES` (default 30). Only what the gateway says of the
PaymentIntent moves the payment and the order, in `apply_intent`: the webhook, the window's end
and the reconciliation call it; states only move forward. The redirect back from Stripe and
reading an order never confirm anything.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod
from marketplace.orders.notices import notify_order
from marketplace.orders.services import expire_order
from marketplace.orders.transitions import move_order, record_event
from marketplace.payments.faults import crash_point
from marketplace.payments.gateway import Gateway, GatewayError, Intent, get_gateway
from marketplace.payments.models import Payment, PaymentStatus
from marketplace.payments.providers import NextAction, PaymentStart

CURRENCY = "eur"
DEFAULT_WINDOW = timedelta(minutes=30)


class PaymentUnavailable(Conflict):
    status = 503
    code = "payment_unavailable"
    message = N_("Die Online-Zahlung ist gerade nicht erreichbar. Bitte versuchen Sie es später.")


def payment_window() -> timedelta:
    return timedelta(minutes=current_app.config.get("PAYMENT_WINDOW_MINUTES", 30))


def intent_key(order: Order) -> str:
    return f"landkorb-{order.number}-intent"


def get_payment(order_id: int, *, lock: bool = False) -> Payment | None:
    query = select(Payment).where(Payment.order_id == order_id)
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def get_payment_by_intent(intent_id: str, *, lock: bool = False) -> Payment | None:
    query = select(Payment).where(Payment.intent_id == intent_id)
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def _start(payment: Payment) -> PaymentStart:
    return PaymentStart(
        PaymentMethod.STRIPE, NextAction.CONFIRM_WITH_CLIENT_SECRET, client_secret=payment.client_secret,
        payment_intent_id=payment.intent_id, expires_at=payment.expires_at,
    )


class StripeProvider:
    """Card and SEPA Direct Debit through one PaymentIntent for the whole basket."""

    method = PaymentMethod.STRIPE

    def offers(self, *, fulfilment: Fulfilment, resident: User | None) -> bool:
        return self.is_configured()

    def is_configured(self) -> bool:
        return get_gateway() is not None

    def start_payment(self, order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
        payment = get_payment(order.id)
        if payment is not None:  # a replayed request: the same PaymentIntent
            return _start(payment)
        gateway = get_gateway()
        if gateway is None:
            raise PaymentUnavailable()
        try:
            intent = gateway.create_intent(
                amount=order.total_cents, currency=CURRENCY, transfer_group=order.number,
                metadata={"order_id": str(order.id), "order_number": order.number},
                idempotency_key=intent_key(order),
            )
        except GatewayError:
            raise PaymentUnavailable() from None
        crash_point("after_intent")
        payment = Payment(
            order_id=order.id, intent_id=intent.id, client_secret=intent.client_secret,
            amount_cents=order.total_cents, currency=CURRENCY, expires_at=now + payment_window(),
            created_at=now, updated_at=now,
        )
        db.session.add(payment)
        record_event(order, "payment_started", now=now, actor=actor, note=intent.id)
        return _start(payment)


def _refund_late(payment: Payment, *, now: datetime) -> None:
    from marketplace.payments.refunds import refund_amount

    left = payment.captured_cents - payment.refunded_cents
    if left > 0:
        refund_amount(order_id=payment.order_id, amount_cents=left, key="late_payment",
                      reason="late_payment", now=now)


def apply_intent(payment: Payment, intent: Intent, *, now: datetime, source: str) -> str:
    """Bring `payment` and its order forward to what the gateway says of the PaymentIntent.

    The caller holds the payment's row lock (`get_payment…(lock=True)`). Returns what happened,
    for the event log. Never moves backwards: a failure reported after success is ignored."""
    order = payment.order
    payment.updated_at = now
    if intent.status == "succeeded":
        if payment.status == PaymentStatus.SUCCEEDED:
            return "already_succeeded"
        payment.status = PaymentStatus.SUCCEEDED
        payment.captured_cents = intent.amount_received or intent.amount
        payment.charge_id = intent.latest_charge
        if intent.amount != order.total_cents or intent.currency != payment.currency:
            payment.flag = f"amount {intent.amount} {intent.currency} ≠ order {order.total_cents} {payment.currency}"
            record_event(order, "payment_mismatch", now=now, note=payment.flag)
            return "flagged"
        if order.status == OrderStatus.PLACED:
            move_order(order, OrderStatus.CONFIRMED, now=now, kind="confirmed", note=f"stripe {source}")
            notify_order(order, "order_confirmed", now=now)
            return "confirmed"
        # The order expired or was cancelled before the money came: give it back at once.
        record_event(order, "payment_late", now=now, note=intent.id)
        db.session.flush()
        _refund_late(payment, now=now)
        return "refunded_late"
    if intent.status == "canceled":
        if payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
            payment.status = PaymentStatus.CANCELED
            return "canceled"
        return "ignored"
    if intent.status == "requires_payment_method" and payment.status == PaymentStatus.PENDING and source == "payment_failed":
        payment.status = PaymentStatus.FAILED
        record_event(order, "payment_failed", now=now, note=intent.id)
        return "failed"
    return "ignored"


def refund_orphan(gateway: Gateway, intent: Intent) -> str:
    """A PaymentIntent without an order (its checkout crashed before the commit): the resident
    never got its client secret, but if money came anyway it goes back at once, once."""
    if intent.status != "succeeded":
        return "unknown_intent"
    gateway.refund(intent_id=intent.id, amount=intent.amount_received or intent.amount,
                   metadata={"reason": "no_order"}, idempotency_key=f"{intent.id}-orphan-refund")
    return "orphan_refunded"


def expire_payment(payment_id: int, *, now: datetime, gateway: Gateway) -> str:
    """End the window of one unpaid payment: cancel its PaymentIntent, expire the order (stock
    and compartment go back). A payment that succeeded meanwhile confirms instead."""
    payment = db.session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    if payment is None or payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) \
            or payment.expires_at > now:
        return "skipped"
    try:
        intent = gateway.cancel_intent(payment.intent_id, idempotency_key=f"{payment.intent_id}-cancel")
    except GatewayError:
        intent = gateway.get_intent(payment.intent_id)
    outcome = apply_intent(payment, intent, now=now, source="window_end")
    if intent.status == "canceled" and payment.order.status == OrderStatus.PLACED:
        expire_order(order=payment.order, now=now)
        outcome = "expired"
    db.session.flush()
    return outcome


def expire_due_payments(*, now: datetime) -> int:
    """Every online payment whose window has ended unpaid (the job `expire_unpaid_orders`);
    commits after each, so one that fails at the gateway leaves the others done."""
    gateway = get_gateway()
    if gateway is None:
        return 0
    ids = db.session.scalars(select(Payment.id).where(
        Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.FAILED)), Payment.expires_at <= now,
    ).order_by(Payment.id)).all()
    db.session.commit()
    done = 0
    for payment_id in ids:
        try:
            if expire_payment(payment_id, now=now, gateway=gateway) == "expired":
                done += 1
            db.session.commit()
        except GatewayError:
            db.session.rollback()
    return done

