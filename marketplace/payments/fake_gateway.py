"""An in-process gateway with Stripe's behaviour where Landkorb relies on it (tests, fake mode).

It keeps PaymentIntents, refunds, Express accounts, transfers and reversals in memory, honours
idempotency keys as Stripe does (the same key and parameters give the same object; the same key
with other parameters is refused), and refuses refunds above what was captured. `confirm`
plays the resident's browser (Stripe.js): Stripe's test cards …0002 and …0341 are declined. `event` builds a
webhook body signed the way Stripe signs it. `is_down = True` plays Stripe out of reach: every
call raises GatewayError (`api_connection_error`) and changes nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import threading
import time
from dataclasses import replace

from marketplace.payments.gateway import AccountState, GatewayError, Intent

# Stripe's test cards that are declined when charged (0341 attaches first, then fails).
DECLINED_CARDS = ("4000000000000002", "4000000000000341")
DECLINED_CARD = "4000000000000341"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`: `t=…,v1=HMAC-SHA256(secret, "t.payload")`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class FakeGateway:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self.intents: dict[str, Intent] = {}
        self.refunds: dict[str, dict] = {}
        self.accounts: dict[str, AccountState] = {}
        self.transfers: dict[str, dict] = {}
        self._keys: dict[str, tuple[str, object, object]] = {}
        self.calls: list[str] = []
        self.is_down = False

    def _reach(self) -> None:
        if self.is_down:
            raise GatewayError("Could not connect to Stripe.", code="api_connection_error")

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}{secrets.token_hex(3)}"

    def _once(self, key: str, op: str, params: object, make):
        """Stripe's idempotency: a key seen before returns its first result (or refuses new params)."""
        with self._lock:
            self._reach()
            self.calls.append(op)
            seen = self._keys.get(key)
            if seen is not None:
                if seen[0] != op or seen[1] != params:
                    raise GatewayError("Keys for idempotent requests can only be used with the same "
                                       "parameters they were first used with.", code="idempotency_key_in_use")
                return seen[2]
            result = make()
            self._keys[key] = (op, params, result)
            return result

    # -- payments -------------------------------------------------------------------------
    def create_intent(self, *, amount, currency, transfer_group, metadata, idempotency_key) -> Intent:
        def make():
            intent_id = self._id("pi")
            intent = Intent(id=intent_id, status="requires_payment_method", amount=amount,
                            currency=currency, client_secret=f"{intent_id}_secret_{secrets.token_hex(8)}",
                            metadata={**metadata, "transfer_group": transfer_group}, created=int(time.time()))
            self.intents[intent_id] = intent
            return intent_id

        params = (amount, currency, transfer_group, tuple(sorted(metadata.items())))
        return self.get_intent(self._once(idempotency_key, "create_intent", params, make))

    def get_intent(self, intent_id) -> Intent:
        with self._lock:
            self._reach()
            try:
                return self.intents[intent_id]
            except KeyError:
                raise GatewayError("No such payment_intent", code="resource_missing") from None

    def confirm(self, intent_id: str, card: str = "4242424242424242") -> Intent:
        """What Stripe.js does when the resident pays: succeeded, or declined for card …0002."""
        with self._lock:
            intent = self.get_intent(intent_id)
            if intent.status not in ("requires_payment_method", "requires_confirmation"):
                raise GatewayError("This PaymentIntent cannot be confirmed.", code="payment_intent_unexpected_state")
            if card in DECLINED_CARDS:
                intent = replace(intent, status="requires_payment_method")
            else:
                intent = replace(intent, status="succeeded", amount_received=intent.amount,
                                 latest_charge=self._id("ch"))
            self.intents[intent_id] = intent
            return intent

    def cancel_intent(self, intent_id, *, idempotency_key) -> Intent:
        def make():
            intent = self.get_intent(intent_id)
            if intent.status in ("succeeded", "canceled", "processing"):
                raise GatewayError("This PaymentIntent cannot be canceled.", code="payment_intent_unexpected_state")
            self.intents[intent_id] = replace(intent, status="canceled")
            return intent_id

        with self._lock:
            if self.get_intent(intent_id).status == "canceled":
                return self.get_intent(intent_id)
            return self.get_intent(self._once(idempotency_key, "cancel_intent", intent_id, make))

    def list_intents(self, *, created_after) -> list[Intent]:
        with self._lock:
            self._reach()
            return [i for i in self.intents.values() if i.created >= created_after]

    def refunded(self, intent_id: str) -> int:
        with self._lock:
            return sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent_id)

    def refund(self, *, intent_id, amount, metadata, idempotency_key) -> str:
        def make():
            intent = self.get_intent(intent_id)
            if intent.status != "succeeded":
                raise GatewayError("This PaymentIntent has no successful charge.", code="charge_not_captured")
            if amount <= 0 or self.refunded(intent_id) + amount > intent.amount_received:
                raise GatewayError("Refund amount is greater than unrefunded amount.",
                                   code="amount_too_large")
            refund_id = self._id("re")
            self.refunds[refund_id] = {"payment_intent": intent_id, "amount": amount, "metadata": metadata}
            return refund_id

        return self._once(idempotency_key, "refund", (intent_id, amount), make)

    # -- Connect ----------------------------------------------------------------------------
    def create_account(self, *, email, metadata, idempotency_key) -> str:
        def make():
            account_id = self._id("acct")
            self.accounts[account_id] = AccountState(account_id, details_submitted=False, payouts_enabled=False)
            return account_id

        return self._once(idempotency_key, "create_account", (email, tuple(sorted(metadata.items()))), make)

    def account_link(self, *, account_id, refresh_url, return_url) -> str:
        self.get_account(account_id)
        return f"https://connect.stripe.test/setup/{account_id}?return_url={return_url}"

    def get_account(self, account_id) -> AccountState:
        with self._lock:
            self._reach()
            try:
                return self.accounts[account_id]
            except KeyError:
                raise GatewayError("No such account", code="resource_missing") from None

    def complete_onboarding(self, account_id: str) -> None:
        """What the producer does on Stripe's onboarding pages."""
        with self._lock:
            self.accounts[account_id] = AccountState(account_id, details_submitted=True, payouts_enabled=True)

    def transfer(self, *, amount, currency, destination, source_transaction, transfer_group, metadata,
                 idempotency_key) -> str:
        def make():
            if not self.get_account(destination).payouts_enabled:
                raise GatewayError("The destination account cannot receive transfers.", code="account_invalid")
            if not any(i.latest_charge == source_transaction for i in self.intents.values()):
                raise GatewayError("No such charge", code="resource_missing")
            transfer_id = self._id("tr")
            self.transfers[transfer_id] = {
                "amount": amount, "currency": currency, "destination": destination,
                "source_transaction": source_transaction, "transfer_group": transfer_group,
                "metadata": metadata, "reversed": 0,
            }
            return transfer_id

        params = (amount, currency, destination, source_transaction, transfer_group)
        return self._once(idempotency_key, "transfer", params, make)

    def reverse_transfer(self, transfer_id, *, amount, idempotency_key) -> str:
        def make():
            transfer = self.transfers.get(transfer_id)
            if transfer is None:
                raise GatewayError("No such transfer", code="resource_missing")
            if amount <= 0 or transfer["reversed"] + amount > transfer["amount"]:
                raise GatewayError("Reversal amount is greater than the transfer.", code="amount_too_large")
            transfer["reversed"] += amount
            return self._id("trr")

        return self._once(idempotency_key, "reverse_transfer", (transfer_id, amount), make)

    # -- webhooks ---------------------------------------------------------------------------
    def event(self, event_type: str, intent_id: str, secret: str, *, event_id: str | None = None,
              timestamp: int | None = None) -> tuple[bytes, str]:
        """A webhook body about a PaymentIntent as it is now, and its signature header."""
        intent = self.get_intent(intent_id)
        body = {
            "id": event_id or self._id("evt"), "object": "event", "type": event_type, "api_version": "2024-06-20",
            "created": int(time.time()), "livemode": False,
            "data": {"object": {"id": intent.id, "object": "payment_intent", "status": intent.status,
                                "amount": intent.amount, "currency": intent.currency,
                                "latest_charge": intent.latest_charge, "metadata": intent.metadata}},
        }
        payload = json.dumps(body).encode()
        return payload, sign(payload, secret, timestamp)
