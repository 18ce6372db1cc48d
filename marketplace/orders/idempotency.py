"""How long an order remembers the idempotency key it was placed with."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from marketplace.extensions import db
from marketplace.orders.models import Order

# A client retries a lost answer within minutes; a day later the key only takes room.
KEY_LIFETIME = timedelta(hours=24)


def forget_idempotency_keys(*, now: datetime, older_than: timedelta = KEY_LIFETIME) -> int:
    """Clear key and request fingerprint of orders created before `now - older_than`; returns how many.

    A retry with a forgotten key places a new order, so `older_than` must be far longer than a
    client retries. The caller commits.
    """
    result = db.session.execute(
        update(Order)
        .where(Order.idempotency_key.is_not(None), Order.created_at < now - older_than)
        .values(idempotency_key=None, request_fingerprint=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
