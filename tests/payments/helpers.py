"""Helpers of the payments tests: a Stripe checkout through the API, events as Stripe sends them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.orders.models import Order, OrderEvent, OrderStatus
from marketplace.orders.transitions import move_order
from marketplace.payments.models import Payment, Refund, StripeEvent
from marketplace.payments.online import apply_intent
from marketplace.payments.payouts import refresh_account, start_onboarding
from marketplace.payments.services import submit_order
from marketplace.pickup.models import PickupStay
from tests.orders.helpers import TUESDAY
from tests.payments.conftest import WEBHOOK_SECRET, post_event


def order_body(world, method="stripe", quantity=2, kind="station"):
    place = world.station if kind == "station" else world.sales_point
    return {"items": [{"product_id": world.bread.id, "quantity": quantity}],
            "delivery_date": TUESDAY.isoformat(), "payment_method": method,
            "fulfilment": {"kind": kind, "pickup_place_id": place.id}}


def checkout(client, auth, world, **kw):
    response = client.post("/api/v1/orders", json=order_body(world, **kw), headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliver(client, fake, event_type, intent_id, **kw):
    payload, signature = fake.event(event_type, intent_id, WEBHOOK_SECRET, **kw)
    return post_event(client, payload, signature)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def notices(order_id: int, kind: str) -> int:
    return count(Notification, Notification.order_id == order_id, Notification.kind == kind)


def order_events(order_id: int, kind: str) -> int:
    return count(OrderEvent, OrderEvent.order_id == order_id, OrderEvent.kind == kind)


def get_order(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def get_payment(order_id: int) -> Payment:
    db.session.expire_all()
    return db.session.scalars(select(Payment).where(Payment.order_id == order_id)).one()


def paid_order(world, fake, now, items, *, fulfilment=None):
    """An order paid online (the PaymentIntent succeeded, as its webhook reports)."""
    order, _ = submit_order(resident=world.resident, items=items, delivery_date=TUESDAY,
                            fulfilment=fulfilment or world.station_choice(), payment_method="stripe", now=now)
    payment = get_payment(order.id)
    apply_intent(payment, fake.confirm(payment.intent_id), now=now, source="webhook")
    db.session.commit()
    assert payment.order.status == OrderStatus.CONFIRMED
    return payment.order


def waiting_at_its_place(order, now) -> PickupStay:
    """The order delivered to its pickup place and received there, to be collected within 24 h."""
    for status in (OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED):
        move_order(order, status, now=now)
    stay = PickupStay(order_id=order.id, pickup_place_id=order.pickup_place_id, arrived_at=now,
                      received_at=now, collect_by=now + timedelta(hours=24))
    db.session.add(stay)
    db.session.commit()
    return stay


def onboard(producer, fake, now):
    """The producer's Express account, onboarded and ready for transfers."""
    start_onboarding(producer=producer, email=None, refresh_url="http://x/r", return_url="http://x/b", now=now)
    fake.complete_onboarding(next(iter(fake.accounts)))
    refresh_account(producer_id=producer.id, now=now)
    db.session.commit()


__all__ = ["Refund", "StripeEvent", "checkout", "count", "deliver", "get_order", "get_payment", "notices",
           "onboard", "order_body", "order_events", "paid_order", "waiting_at_its_place"]
