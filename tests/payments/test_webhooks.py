"""The webhook: Stripe's signature on the raw body, each event once, states only forward."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest

from marketplace.orders.models import OrderStatus
from marketplace.payments.models import PaymentStatus, StripeEvent
from tests.orders.helpers import stocks
from tests.payments.conftest import WEBHOOK_SECRET, post_event, signed
from tests.payments.helpers import checkout, count, deliver, get_order, get_payment, notices, order_events


def _succeeded_event(fake, intent_id):
    return json.loads(fake.event("payment_intent.succeeded", intent_id, WEBHOOK_SECRET)[0])


@pytest.mark.parametrize("how", ["unsigned", "wrong_secret", "reserialised", "301_s_old", "garbage"])
def test_a_badly_signed_event_is_400_and_nothing_is_written(client, auth, world, fake, how):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id)
    event = _succeeded_event(fake, intent_id)
    payload, signature = signed(event)
    if how == "unsigned":
        signature = None
    elif how == "wrong_secret":
        payload, signature = signed(event, secret="whsec_someone_else")
    elif how == "reserialised":  # the same event, but not the bytes that were signed
        payload = json.dumps(event, indent=2).encode()
    elif how == "301_s_old":
        payload, signature = signed(event, timestamp=int(time.time()) - 301)
    else:
        signature = "t=abc,v1=zz"
    response = post_event(client, payload, signature)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_signature"
    assert count(StripeEvent) == 0
    assert get_order(body["id"]).status == OrderStatus.PLACED


def test_an_event_299_s_old_is_accepted(client, auth, world, fake):
    body = checkout(client, auth, world)
    fake.confirm(body["payment"]["payment_intent_id"])
    payload, signature = signed(_succeeded_event(fake, body["payment"]["payment_intent_id"]),
                                timestamp=int(time.time()) - 299)
    assert post_event(client, payload, signature).status_code == 200


def test_an_unknown_event_is_acknowledged(client, fake):
    payload, signature = signed({"id": "evt_unknown", "type": "customer.created",
                                 "data": {"object": {"id": "cus_1", "object": "customer"}}})
    response = post_event(client, payload, signature)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"


def test_the_event_object_is_not_trusted_the_intent_is_read_again(client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    event = _succeeded_event(fake, intent_id)
    event["data"]["object"]["status"] = "succeeded"  # claims success, but nobody paid
    payload, signature = signed(event)
    assert post_event(client, payload, signature).status_code == 200
    assert get_order(body["id"]).status == OrderStatus.PLACED


def test_a_late_failure_after_success_is_recorded_and_ignored(client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id = body["payment"]["payment_intent_id"]
    fake.confirm(intent_id)
    deliver(client, fake, "payment_intent.succeeded", intent_id)
    response = deliver(client, fake, "payment_intent.payment_failed", intent_id)
    assert response.status_code == 200
    assert get_order(body["id"]).status == OrderStatus.CONFIRMED
    assert get_payment(body["id"]).status == PaymentStatus.SUCCEEDED
    assert count(StripeEvent) == 2


def test_each_event_five_times_shuffled_racing_the_return_page_changes_the_order_once(app, client, auth, world, fake):
    body = checkout(client, auth, world)
    intent_id, order_id = body["payment"]["payment_intent_id"], body["id"]
    fake.confirm(intent_id)
    events = [fake.event(kind, intent_id, WEBHOOK_SECRET)
              for kind in ("payment_intent.succeeded", "charge.succeeded", "payment_intent.payment_failed")]
    deliveries = [e for e in events for _ in range(5)]
    random.Random(14).shuffle(deliveries)
    answers, pages = [], []

    def send(payload, signature):
        with app.test_client() as c:
            answers.append(post_event(c, payload, signature).status_code)

    def look():
        with app.test_client() as c:
            c.post("/login", data={})  # not signed in: the JSON page asks for a token instead
            for _ in range(5):
                pages.append(c.get(f"/api/v1/orders/{order_id}", headers=auth).get_json()["status"])

    threads = [threading.Thread(target=send, args=d) for d in deliveries] + [threading.Thread(target=look)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(status in (200, 503) for status in answers), answers
    # Stripe retries what was not 2xx; after that every event has been applied once.
    for payload, signature in deliveries:
        assert post_event(client, payload, signature).status_code == 200
    assert get_order(order_id).status == OrderStatus.CONFIRMED
    assert order_events(order_id, "confirmed") == 1
    assert notices(order_id, "order_confirmed") == 1
    assert count(StripeEvent) == 3
    assert stocks(world.bread) == {world.bread.id: 18}
    assert set(pages) <= {"placed", "confirmed"}
