"""Placing an order and starting its payment in one step, as the shop, the API and staff do;
cancelling with the refund of what was paid online."""
from __future__ import annotations

from datetime import datetime

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.services import cancel_order, place_order
from marketplace.payments import methods  # noqa: F401  (registers the providers)
from marketplace.payments.faults import crash_point
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import PaymentStatus
from marketplace.payments.online import get_payment
from marketplace.payments.providers import PaymentStart, check_method_offered, get_provider
from marketplace.payments.refunds import refund_amount


def start_payment(order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
    """Start (or, for a replayed request, look at again) the payment of a placed order."""
    return get_provider(order.payment_method).start_payment(order, now=now, actor=actor)


def submit_order(*, now: datetime, payment_method, resident, placed_by: User | None = None,
                 **order_fields) -> tuple[Order, PaymentStart]:
    """`place_order` with the same arguments, then `start_payment`; flushes, the caller commits.

    The payment method must be offered for this way of delivery in the resident's sub-region
    (422 `payment_method_unavailable` otherwise); an unavailable method leaves no order and
    takes no stock.
    """
    provider = get_provider(payment_method)
    sub_region = resident.home_sub_region
    # In a savepoint: the checkout's own refusals (day, place, stock) come first; a method the
    # place or sub-region does not offer then undoes the order and its stock.
    with db.session.begin_nested():
        order = place_order(now=now, payment_method=payment_method, resident=resident,
                            placed_by=placed_by, **order_fields)
        check_method_offered(provider.method, sub_region_id=sub_region.id if sub_region else order.sub_region_id,
                             fulfilment=order.fulfilment, resident=resident)
    crash_point("after_reserving")
    payment = provider.start_payment(order, now=now, actor=placed_by or resident)
    crash_point("before_commit")
    return order, payment


def cancel_and_refund(*, order: Order, actor: User | None, now: datetime) -> Order:
    """`cancel_order` (before the cut-off, stock back), then the online payment: a waiting
    PaymentIntent is cancelled, a paid one refunded in full (once, also when clicked twice; owed
    while the gateway is away, and made later by the job `make_owed_refunds`)."""
    was = order.status
    cancel_order(order=order, actor=actor, now=now)
    payment = get_payment(order.id)
    if payment is None:
        return order
    left = payment.captured_cents - payment.refunded_cents
    if payment.status == PaymentStatus.SUCCEEDED and was == OrderStatus.CONFIRMED and left > 0:
        refund_amount(order_id=order.id, amount_cents=left,
                      key="cancelled", reason="cancelled", now=now)
    elif payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        gateway = get_gateway()
        try:
            gateway.cancel_intent(payment.intent_id, idempotency_key=f"{payment.intent_id}-cancel")
            payment.status = PaymentStatus.CANCELED
        except GatewayError:
            pass  # paid meanwhile: its webhook finds the order cancelled and refunds at once
    return order

