"""What the payments code needs from a payment gateway, as plain values.

Two gateways implement it: `stripe_gateway.StripeGateway` (the `stripe` library, against Stripe
or a local test server) and `fake_gateway.FakeGateway` (in process, for tests and the demo's
fake mode). Every call that moves money takes an idempotency key: a retry after a crash or a
timeout asks the gateway for the same object again instead of making a second one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app


class GatewayError(Exception):
    """The gateway refused or could not be reached; `code` is Stripe's error code if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class SignatureInvalid(Exception):
    """A webhook body whose signature, secret or timestamp does not check out."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # Stripe's: requires_payment_method, requires_confirmation, requires_action,
    #              processing, requires_capture, succeeded, canceled
    amount: int
    currency: str
    client_secret: str | None = None
    amount_received: int = 0
    latest_charge: str | None = None
    metadata: dict = field(default_factory=dict)
    created: int = 0


@dataclass(frozen=True)
class AccountState:
    id: str
    details_submitted: bool
    payouts_enabled: bool


class Gateway(Protocol):
    def create_intent(self, *, amount: int, currency: str, transfer_group: str, metadata: dict,
                      idempotency_key: str) -> Intent: ...

    def get_intent(self, intent_id: str) -> Intent: ...

    def cancel_intent(self, intent_id: str, *, idempotency_key: str) -> Intent: ...

    def list_intents(self, *, created_after: int) -> list[Intent]: ...

    def refund(self, *, intent_id: str, amount: int, metadata: dict, idempotency_key: str) -> str: ...

    def create_account(self, *, email: str | None, metadata: dict, idempotency_key: str) -> str: ...

    def account_link(self, *, account_id: str, refresh_url: str, return_url: str) -> str: ...

    def get_account(self, account_id: str) -> AccountState: ...

    def transfer(self, *, amount: int, currency: str, destination: str, source_transaction: str,
                 transfer_group: str, metadata: dict, idempotency_key: str) -> str: ...

    def reverse_transfer(self, transfer_id: str, *, amount: int, idempotency_key: str) -> str: ...


EXTENSION = "landkorb_payment_gateway"


def get_gateway() -> Gateway | None:
    """The app's gateway: the one installed (tests, fake mode), else Stripe when a secret key is
    configured, else None (no online payment)."""
    gateway = current_app.extensions.get(EXTENSION)
    if gateway is not None:
        return gateway
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        return None
    from marketplace.payments.stripe_gateway import StripeGateway

    gateway = StripeGateway(key, api_base=current_app.config.get("STRIPE_API_BASE"),
                            timeout_s=current_app.config["STRIPE_TIMEOUT_S"])
    current_app.extensions[EXTENSION] = gateway
    return gateway


def install_gateway(app, gateway: Gateway | None) -> None:
    """Use `gateway` for this app (None: back to the configured one)."""
    if gateway is None:
        app.extensions.pop(EXTENSION, None)
    else:
        app.extensions[EXTENSION] = gateway
