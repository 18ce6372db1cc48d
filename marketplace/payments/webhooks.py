"""Stripe's webhook events: verified, stored once with their effect, applied from a fresh read.

Each event id is written in the same transaction as what it does, so a repeated or concurrent
delivery finds it and does nothing. The event's own copy of the object is never trusted: the
PaymentIntent (or account) is read again from the gateway and applied by `apply_intent`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from marketplace.core.errors import N_, DomainError, InvalidInput
from marketplace.extensions import db
from marketplace.payments.faults import crash_point
from marketplace.payments.gateway import GatewayError, SignatureInvalid, get_gateway
from marketplace.payments.models import StripeEvent
from marketplace.payments.online import PaymentUnavailable, apply_intent, get_payment_by_intent, refund_orphan
from marketplace.payments.stripe_gateway import verify_event


class BadSignature(InvalidInput):
    status = 400
    code = "bad_signature"
    message = N_("Die Signatur der Nachricht ist ungültig.")


class WebhookNotConfigured(DomainError):
    status = 503
    code = "webhook_not_configured"
    message = N_("Für Stripe ist kein Webhook-Geheimnis eingerichtet.")


def _object_ids(event: dict) -> tuple[str | None, str | None]:
    """(PaymentIntent id, account id) the event is about, if any."""
    obj = (event.get("data") or {}).get("object") or {}
    kind = obj.get("object")
    if kind == "payment_intent":
        return obj.get("id"), None
    if kind in ("charge", "refund"):
        intent = obj.get("payment_intent")
        return (intent.get("id") if isinstance(intent, dict) else intent), None
    if kind == "account":
        return None, obj.get("id")
    return None, None


def _apply_to_intent(intent_id: str, event_type: str, *, now: datetime) -> str:
    gateway = get_gateway()
    if gateway is None:
        raise PaymentUnavailable()
    intent = gateway.get_intent(intent_id)
    if intent.status == "succeeded":
        crash_point("after_success")
    payment = get_payment_by_intent(intent_id, lock=True)
    if payment is None:
        return refund_orphan(gateway, intent)
    source = "payment_failed" if event_type == "payment_intent.payment_failed" else "webhook"
    return apply_intent(payment, intent, now=now, source=source)


def handle_event(event: dict, *, now: datetime) -> str:
    """Apply one verified event once; returns what happened ("duplicate" for a repeat)."""
    intent_id, account_id = _object_ids(event)
    row = StripeEvent(id=str(event["id"]), type=str(event.get("type", "")),
                      object_id=intent_id or account_id, received_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return "duplicate"
    try:
        if intent_id:
            row.outcome = _apply_to_intent(intent_id, row.type, now=now)
        elif account_id:
            from marketplace.payments.payouts import refresh_account_by_id

            row.outcome = refresh_account_by_id(account_id, now=now)
        else:
            row.outcome = "ignored"
    except GatewayError:
        raise PaymentUnavailable() from None
    db.session.flush()
    return row.outcome


def receive_webhook(payload: bytes, signature: str | None, *, secret: str | None, now: datetime) -> str:
    """Verify the body with the endpoint secret (300 s tolerance), then `handle_event`."""
    if not secret:
        raise WebhookNotConfigured()
    try:
        event = verify_event(payload, signature, secret)
    except SignatureInvalid:
        raise BadSignature() from None
    if not isinstance(event.get("id"), str):
        raise BadSignature()
    return handle_event(event, now=now)
