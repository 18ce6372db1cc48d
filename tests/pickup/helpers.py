"""Orders at a station for the pickup tests, written directly (the checkout is not under test)."""
from __future__ import annotations

from datetime import timedelta

from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod
from tests import factories as f
from tests.conftest import NOW

_numbers = iter(range(1, 10**6))


def make_station_order(station, *, status: OrderStatus = OrderStatus.DELIVERED, resident=None) -> Order:
    """An order to collect at `station` (or at a sales point, when given one)."""
    resident = resident or f.make_user()
    order = Order(
        number=f"LK-T{next(_numbers):06d}", resident=resident, sub_region_id=station.sub_region_id,
        delivery_date=NOW.date(), cutoff_at=NOW - timedelta(hours=16), status=status,
        fulfilment=Fulfilment(station.kind.value), pickup_place_id=station.id,
        payment_method=PaymentMethod.PAY_ON_PICKUP, items_total_cents=450, total_cents=450,
    )
    db.session.add(order)
    db.session.flush()
    return order
