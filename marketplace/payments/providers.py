"""The payment-provider interface and registry, which methods a place and sub-region offer, and
the pay-on-pickup provider.

A provider is chosen by the order's PaymentMethod. Placing an order never talks to a provider;
`start_payment` does, right after, and says what the client must do next:

- nothing (pay on pickup, invoice): the order is confirmed at once;
- confirm with a client secret (Stripe, `payments/stripe_provider.py`): the order stays PLACED
  until the webhook reports the payment, or expires when its payment window ends.

Each provider also says where it fits (`offers`): pay on pickup needs somebody to take the money
(a sales point or the driver at the door), never a parcel station. A sub-region may switch a
method off (`SubRegionPaymentMethod`, switched by `payments/sub_region_methods.py`). A new
method is one class with `method`, `offers`, `is_configured` and `start_payment`, registered with one `register_provider(...)` line.

`start_payment` must be idempotent per order: a replayed request (same Idempotency-Key) calls it
again for the same order and must neither move the order twice nor open a second payment.
Only `payments/stripe_gateway.py` may import `stripe`; its provider registers here.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.core.errors import N_, InvalidInput
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod
from marketplace.orders.notices import notify_order
from marketplace.orders.transitions import move_order
from marketplace.payments.models import SubRegionPaymentMethod


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
    payment_intent_id: str | None = None
    expires_at: datetime | None = None

    def to_dict(self) -> dict:
        if self.next_action == NextAction.CONFIRM_WITH_CLIENT_SECRET:
            return {
                "method": self.method.value, "next_action": self.next_action.value,
                "client_secret": self.client_secret, "payment_intent_id": self.payment_intent_id,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            }
        return {
            "method": self.method.value, "next_action": self.next_action.value,
            "redirect_url": self.redirect_url, "client_secret": self.client_secret,
        }


class PaymentProvider(Protocol):
    method: PaymentMethod

    def offers(self, *, fulfilment: Fulfilment, resident: User | None) -> bool:
        """Whether this method fits the way the goods reach the resident (and the resident)."""
        ...

    def is_configured(self) -> bool:
        """Whether this installation can take the method at all (Stripe: only with its keys)."""
        ...

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

    def offers(self, *, fulfilment: Fulfilment, resident: User | None) -> bool:
        # A parcel station is unstaffed: nobody could take the money there.
        return Fulfilment(fulfilment) in (Fulfilment.SALES_POINT, Fulfilment.DOOR)

    def is_configured(self) -> bool:
        return True

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


def configured_methods() -> list[PaymentMethod]:
    """The registered methods this installation can take (a sub-region may switch them on)."""
    return [m for m in available_methods() if _PROVIDERS[m].is_configured()]


def switched_off(sub_region_id: int | None) -> set[PaymentMethod]:
    if sub_region_id is None:
        return set()
    return set(db.session.scalars(select(SubRegionPaymentMethod.method).where(
        SubRegionPaymentMethod.sub_region_id == sub_region_id, SubRegionPaymentMethod.enabled.is_(False),
    )))


def offered_methods(*, sub_region_id: int | None, fulfilment: Fulfilment | str,
                    resident: User | None) -> list[PaymentMethod]:
    """The methods offered for this way of delivery in this sub-region, in the registry's order."""
    try:
        fulfilment = Fulfilment(fulfilment)
    except ValueError:
        return []
    off = switched_off(sub_region_id)
    return [m for m in available_methods()
            if m not in off and _PROVIDERS[m].offers(fulfilment=fulfilment, resident=resident)]


def methods_by_kind(sub_region_id: int | None, kinds, resident: User | None) -> dict[PaymentMethod, list[str]]:
    """Each method offered for at least one of `kinds`, with the kinds it fits (the checkout)."""
    fits: dict[PaymentMethod, list[str]] = {}
    for kind in sorted(Fulfilment(k) for k in kinds):
        for method in offered_methods(sub_region_id=sub_region_id, fulfilment=kind, resident=resident):
            fits.setdefault(method, []).append(kind.value)
    return {m: fits[m] for m in available_methods() if m in fits}


def first_offered_method(resident: User, kind: str, among=None) -> str:
    """The method a checkout without a choice pays with: the first offered for `kind` (and in
    `among`, if given), "" if none."""
    sub_region = resident.home_sub_region
    offered = [m for m in offered_methods(sub_region_id=sub_region.id if sub_region else None, fulfilment=kind,
                                          resident=resident) if among is None or m in among]
    return offered[0].value if offered else ""


def check_method_offered(method: object, *, sub_region_id: int | None, fulfilment: object,
                         resident: User | None) -> PaymentProvider:
    """The provider of `method` when it is offered here; else 422 `payment_method_unavailable`."""
    provider = get_provider(method)
    if provider.method not in offered_methods(sub_region_id=sub_region_id, fulfilment=fulfilment,
                                              resident=resident):
        raise PaymentMethodUnavailable()
    return provider


register_provider(PayOnPickup())

from marketplace.payments import invoice_method  # noqa: E402,F401  (registers the invoice provider)
