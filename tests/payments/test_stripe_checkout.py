"""Stripe checkout: one PaymentIntent per order, confirmed only by the webhook, a payment window."""
from __future__ import annotations

from datetime import timedelta

from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.orders.models import OrderStatus
from marketplace.payments.models import PaymentStatus
from tests.orders.helpers import count_orders, stocks
from tests.payments.helpers import (
    Refund,
    checkout,
    count,
    deliver,
    get_order,
    get_payment,
    notices,
    order_body,
)


def test_placing_with_stripe_answers_201_with_the_client_secret_and_one_payment_intent(client, auth, world, fake):
    body = checkout(client, auth, world)
    payment = body["payment"]
    assert set(payment) == {"method", "next_action", "client_secret", "payment_intent_id", "expires_at"}
    assert payment["method"] == "stripe" and payment["next_action"] == "confirm_with_client_secret"
    intent = fake.get_intent(payment["payment_intent_id"])
    assert payment["client_secret"] == intent.client_secret and intent.id.startswith("pi_")
    assert intent.amount == body["total_cents"] == 900 and intent.currency == "eur"
    assert intent.metadata == {"order_id": str(body["id"]), "order_number": body["number"],
                               "transfer_group": body["number"]}
    assert payment["expires_at"].startswith("2026-03-02T09:30:00")
    assert body["status"] == "placed" and stocks(world.bread) == {world.bread.id: 18}
    assert fake.calls.count("create_intent") == 1


def test_a_replayed_request_gets_the_same_payment_intent(client, auth, world, fake):
    headers = {**auth, "Idempotency-Key": "pay-1"}
    first = client.post("/api/v1/orders", json=order_body(world), headers=headers).get_json()
    again = client.post("/api/v1/orders", json=order_body(world), headers=headers).get_json()
    assert again["id"] == first["id"] and again["payment"] == first["payment"]
    assert len(fake.intents) == 1 and count_orders() == 1


def test_stripe_is_not_offered_without_keys_and_nothing_is_created(client, auth, world):
    response = client.post("/api/v1/orders", json=order_body(world), headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}


def test_pay_on_pickup_at_a_parcel_station_is_422_and_nothing_is_created(client, auth, world, fake):
    response = client.post("/api/v1/orders", json=order_body(world, method="pay_on_pickup"), headers=auth)
    assert response.status_code == 422 and response.get_json()["error"] == "payment_method_unavailable"
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}


def test_pay_on_pickup_at_a_sales_point_is_confirmed_at_once(client, auth, world):
    body = checkout(client, auth, world, method="pay_on_pickup", kind="sales_point")
    assert body["status"] == "confirmed" and body["payment"]["next_action"] == "none"


def test_the_webhook_confirms_the_order_and_reading_it_never_does(client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id)
    # The resident comes back from Stripe before the webhook: still waiting.
    assert client.get(f"/api/v1/orders/{body['id']}", headers=auth).get_json()["status"] == "placed"
    assert deliver(client, fake, "payment_intent.succeeded", intent_id).status_code == 200
    order = get_order(body["id"])
    assert order.status == OrderStatus.CONFIRMED and notices(order.id, "order_confirmed") >= 1
    assert get_payment(order.id).captured_cents == 900


def test_a_declined_card_is_recorded_and_the_order_waits(client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id, card="4000000000000002")
    deliver(client, fake, "payment_intent.payment_failed", intent_id)
    assert get_payment(body["id"]).status == PaymentStatus.FAILED
    assert get_order(body["id"]).status == OrderStatus.PLACED


def test_the_window_end_cancels_the_intent_expires_the_order_and_gives_stock_back(client, auth, world, fake, now):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    assert JOBS["expire_unpaid_orders"].run(now + timedelta(minutes=29)) == 0
    db.session.commit()
    assert get_order(body["id"]).status == OrderStatus.PLACED
    assert JOBS["expire_unpaid_orders"].run(now + timedelta(minutes=30)) == 1
    assert fake.get_intent(intent_id).status == "canceled"
    assert get_order(body["id"]).status == OrderStatus.EXPIRED
    assert stocks(world.bread) == {world.bread.id: 20}
    assert JOBS["expire_unpaid_orders"].run(now + timedelta(minutes=31)) == 0


def test_a_payment_that_succeeds_after_the_window_is_refunded_at_once(client, auth, world, fake, now):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    payment = get_payment(body["id"])
    from marketplace.orders.services import expire_order

    expire_order(order=payment.order, now=now + timedelta(minutes=31))  # the window ended…
    db.session.commit()
    fake.confirm(intent_id)  # …and the bank confirms late
    deliver(client, fake, "payment_intent.succeeded", intent_id)
    assert get_order(body["id"]).status == OrderStatus.EXPIRED
    assert fake.refunded(intent_id) == 900
    assert count(Refund) == 1 and get_payment(body["id"]).refunded_cents == 900
    assert notices(body["id"], "order_confirmed") == 0


def test_an_amount_that_differs_flags_the_order_and_nothing_ships(client, auth, world, fake):
    from dataclasses import replace

    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id)
    fake.intents[intent_id] = replace(fake.intents[intent_id], amount=100, amount_received=100)
    deliver(client, fake, "payment_intent.succeeded", intent_id)
    assert get_order(body["id"]).status == OrderStatus.PLACED
    assert get_payment(body["id"]).flag


def test_cancelling_a_paid_order_refunds_it_once_also_when_clicked_twice(client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id)
    deliver(client, fake, "payment_intent.succeeded", intent_id)
    first = client.post(f"/api/v1/orders/{body['id']}/cancel", headers=auth)
    second = client.post(f"/api/v1/orders/{body['id']}/cancel", headers=auth)
    assert first.status_code == 200 and second.status_code == 409
    assert fake.refunded(intent_id) == 900 and count(Refund) == 1
    assert stocks(world.bread) == {world.bread.id: 20}
