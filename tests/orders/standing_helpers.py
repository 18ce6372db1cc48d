"""Standing orders in the ordering world: Fridays (6 March 2026 first), cut-off Thursday 17:00 UTC."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.standing import submit_standing_order
from tests.conftest import NOW

FRIDAY = date(2026, 3, 6)
NEXT_FRIDAY = date(2026, 3, 13)
THURSDAY_CUTOFF = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
LEAD = timedelta(hours=2)
# The job places at the cut-off minus the lead: Thursday 15:00 UTC.
PLACING_TIME = THURSDAY_CUTOFF - LEAD


def subscribe(world, *, items=None, weekday=5, fulfilment=None, payment_method="pay_on_pickup", now=NOW,
              created_by=None):
    standing = submit_standing_order(
        resident=world.resident, weekday=weekday, fulfilment=fulfilment or world.sales_point_choice(world.chilled_sales_point),
        payment_method=payment_method, now=now, created_by=created_by,
        items=items if items is not None else [(world.bread.id, 2), (world.milk.id, 1)],
    )
    db.session.commit()
    return standing


def orders_of(resident) -> list[Order]:
    db.session.expire_all()
    return list(db.session.scalars(select(Order).where(Order.resident_id == resident.id).order_by(Order.id)))
