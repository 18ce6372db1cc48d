"""The only module that imports `stripe`: the gateway over Stripe's API, and webhook verification.

`STRIPE_API_BASE` (scheme, host and port, no `/v1`) points the client at a local test server
such as localstripe; unset, it talks to Stripe itself.
"""
from __future__ import annotations

import stripe

from marketplace.payments.gateway import AccountState, GatewayError, Intent, SignatureInvalid

# Stripe's own tolerance for a webhook's timestamp (seconds).
WEBHOOK_TOLERANCE_S = 300


def verify_event(payload: bytes, signature_header: str | None, secret: str) -> dict:
    """The event in `payload` when its `Stripe-Signature` header checks out with the endpoint
    secret within 300 s (the `stripe` library's own verification); else SignatureInvalid."""
    if not signature_header or not secret:
        raise SignatureInvalid("missing signature or secret")
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret,
                                               tolerance=WEBHOOK_TOLERANCE_S)
    except (stripe.SignatureVerificationError, ValueError) as error:
        raise SignatureInvalid(str(error)) from None
    return event.to_dict()


def _intent(obj) -> Intent:
    obj = obj.to_dict()
    charge = obj.get("latest_charge")
    if isinstance(charge, dict):
        charge = charge.get("id")
    return Intent(
        id=obj["id"], status=obj["status"], amount=int(obj["amount"]), currency=obj["currency"],
        client_secret=obj.get("client_secret"),
        amount_received=int(obj.get("amount_received") or (obj["amount"] if obj["status"] == "succeeded" else 0)),
        latest_charge=charge, metadata=dict(obj.get("metadata") or {}), created=int(obj.get("created") or 0),
    )


DEFAULT_TIMEOUT_S = 10.0


class StripeGateway:
    def __init__(self, api_key: str, *, api_base: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        options = {"base_addresses": {"api": api_base.rstrip("/")}} if api_base else {}
        # The library waits 80 s for an answer; a producer marking a line short or a resident at
        # the checkout should not wait that long (times the retries) for a slow Stripe.
        self.client = stripe.StripeClient(api_key, max_network_retries=2,
                                          http_client=stripe.RequestsClient(timeout=timeout_s), **options)

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except stripe.StripeError as error:
            raise GatewayError(error.user_message or str(error), code=getattr(error, "code", None)) from None

    def create_intent(self, *, amount, currency, transfer_group, metadata, idempotency_key) -> Intent:
        obj = self._call(self.client.v1.payment_intents.create, params={
            "amount": amount, "currency": currency, "capture_method": "automatic",
            "payment_method_types": ["card", "sepa_debit"], "transfer_group": transfer_group,
            "metadata": metadata,
        }, options={"idempotency_key": idempotency_key})
        return _intent(obj)

    def get_intent(self, intent_id) -> Intent:
        return _intent(self._call(self.client.v1.payment_intents.retrieve, intent_id))

    def cancel_intent(self, intent_id, *, idempotency_key) -> Intent:
        return _intent(self._call(self.client.v1.payment_intents.cancel, intent_id,
                                  options={"idempotency_key": idempotency_key}))

    def list_intents(self, *, created_after) -> list[Intent]:
        page = self._call(self.client.v1.payment_intents.list, params={"limit": 100})
        intents = (_intent(obj) for obj in page.auto_paging_iter())
        return [intent for intent in intents if intent.created >= created_after]

    def refund(self, *, intent_id, amount, metadata, idempotency_key) -> str:
        obj = self._call(self.client.v1.refunds.create, params={
            "payment_intent": intent_id, "amount": amount, "metadata": metadata,
        }, options={"idempotency_key": idempotency_key})
        return obj["id"]

    def create_account(self, *, email, metadata, idempotency_key) -> str:
        params = {"type": "express", "country": "DE", "metadata": metadata,
                  "capabilities": {"transfers": {"requested": True}}}
        if email:
            params["email"] = email
        return self._call(self.client.v1.accounts.create, params=params,
                          options={"idempotency_key": idempotency_key})["id"]

    def account_link(self, *, account_id, refresh_url, return_url) -> str:
        return self._call(self.client.v1.account_links.create, params={
            "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
            "type": "account_onboarding",
        })["url"]

    def get_account(self, account_id) -> AccountState:
        obj = self._call(self.client.v1.accounts.retrieve, account_id)
        return AccountState(id=obj["id"], details_submitted=bool(obj.get("details_submitted")),
                            payouts_enabled=bool(obj.get("payouts_enabled")))

    def transfer(self, *, amount, currency, destination, source_transaction, transfer_group, metadata,
                 idempotency_key) -> str:
        return self._call(self.client.v1.transfers.create, params={
            "amount": amount, "currency": currency, "destination": destination,
            "source_transaction": source_transaction, "transfer_group": transfer_group, "metadata": metadata,
        }, options={"idempotency_key": idempotency_key})["id"]

    def reverse_transfer(self, transfer_id, *, amount, idempotency_key) -> str:
        return self._call(self.client.v1.transfers.reversals.create, transfer_id, params={"amount": amount},
                          options={"idempotency_key": idempotency_key})["id"]
