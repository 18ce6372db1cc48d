"""Placing an order and starting its payment in one step, as the shop, the API and staff do."""
from __future__ import annotations

from datetime import datetime

from marketplace.accounts.models import User
from marketplace.orders.models import Order
from marketplace.orders.services import place_order
from marketplace.payments.providers import PaymentStart, get_provider


def start_payment(order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
    """Start (or, for a replayed request, look at again) the payment of a placed order."""
    return get_provider(order.payment_method).start_payment(order, now=now, actor=actor)


def submit_order(*, now: datetime, payment_method, resident, placed_by: User | None = None,
                 **order_fields) -> tuple[Order, PaymentStart]:
    """`place_order` with the same arguments, then `start_payment`; flushes, the caller commits.

    The payment method is checked before anything is placed, so an unavailable method
    takes no stock.
    """
    provider = get_provider(payment_method)
    order = place_order(now=now, payment_method=payment_method, resident=resident,
                        placed_by=placed_by, **order_fields)
    return order, provider.start_payment(order, now=now, actor=placed_by or resident)
