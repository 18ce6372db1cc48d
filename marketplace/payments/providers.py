"""The payment-provider interface and registry, and the pay-on-pickup provider.

A provider is chosen by the order's PaymentMethod. Placing an order never talks to a provider;
`start_payment` does, right after, and says what the client must do next:

- nothing (pay on pickup, invoice): the order is confirmed at once;
- confirm with a client secret or follow a redirect (Stripe, a later issue): the order stays
  PLACED until the provider's webhook reports the payment, or expires when it does not.

`start_payment` must be idempotent per order: a replayed request (same Idempotency-Key) calls it
again for the same order and must neither move the order twice nor open a second payment.
Only `payments/stripe_gateway.py` may import `stripe`; its provider registers here.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from marketplace.accounts.models import User
from marketplace.core.errors import N_, InvalidInput
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.notices import notify_order
from marketplace.orders.transitions import move_order


class PaymentMethodUnavailable(InvalidInput):
    code = "payment_method_unavailable"
    message = N_("Diese Zahlungsart ist hier nicht verfügbar.")


class NextAction(enum.StrEnum):
    NONE = "none"
    REDIRECT = "redirect"
    CONFIRM_WITH_CLIENT_SECRET = "confirm_with_client_secret"


@dataclass(frozen=True)
class PaymentStart:
    method: PaymentMethod
    next_action: NextAction
    redirect_url: str | None = None
    client_secret: str | None = None

    def to_dict(self) -> dict:
        return {
            "method": self.method.value, "next_action": self.next_action.value,
            "redirect_url": self.redirect_url, "client_secret": self.client_secret,
        }


class PaymentProvider(Protocol):
    method: PaymentMethod

    def start_payment(self, order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
        ...


class PayOnPickup:
    """The resident pays at the sales point, or the driver at the door, when collecting.

    No money moves online, so nothing can leave the order unpaid before delivery: the order
    goes from PLACED to CONFIRMED right away (DESIGN: placed ──pay──▶ confirmed, and here
    "pay" is the promise to pay on pickup). Producers then see it as firm. A later refusal to
    pay at handover is a not-collected order, not an expired one.
    """

    method = PaymentMethod.PAY_ON_PICKUP

    def start_payment(self, order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
        if order.status == OrderStatus.PLACED:
            move_order(
                order, OrderStatus.CONFIRMED, now=now, actor=actor, kind="confirmed",
                note="pay_on_pickup",
            )
            notify_order(order, "order_confirmed", now=now)
        return PaymentStart(self.method, NextAction.NONE)


_PROVIDERS: dict[PaymentMethod, PaymentProvider] = {}


def register_provider(provider: PaymentProvider) -> None:
    _PROVIDERS[PaymentMethod(provider.method)] = provider


def get_provider(method: PaymentMethod | str) -> PaymentProvider:
    try:
        return _PROVIDERS[PaymentMethod(method)]
    except (KeyError, ValueError):
        raise PaymentMethodUnavailable() from None


def available_methods() -> list[PaymentMethod]:
    return [m for m in PaymentMethod if m in _PROVIDERS]


register_provider(PayOnPickup())

from marketplace.payments import invoice_method  # noqa: E402,F401  (registers the invoice provider)
