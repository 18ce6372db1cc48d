"""Idempotency keys are forgotten a day after the order was placed."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from marketplace.orders.idempotency import forget_idempotency_keys
from marketplace.orders.models import Order
from tests.delivery.day_factories import make_order, make_small_day


def test_keys_of_orders_older_than_a_day_are_forgotten(db, now):
    day = make_small_day()
    old, fresh, keyless = (make_order(day, door=(50.3, 7.2)) for _ in range(3))
    old.idempotency_key, old.request_fingerprint, old.created_at = "k-old", "f" * 64, now - timedelta(hours=25)
    fresh.idempotency_key, fresh.request_fingerprint, fresh.created_at = "k-new", "e" * 64, now - timedelta(hours=23)
    keyless.created_at = now - timedelta(days=3)
    db.session.commit()
    assert forget_idempotency_keys(now=now) == 1
    db.session.commit()
    keys = dict(db.session.execute(select(Order.id, Order.idempotency_key)).all())
    assert keys == {old.id: None, fresh.id: "k-new", keyless.id: None}
    assert db.session.get(Order, old.id).request_fingerprint is None
    assert db.session.get(Order, fresh.id).request_fingerprint == "e" * 64
    assert forget_idempotency_keys(now=now) == 0
