"""A packing world: the ordering world of tests/orders, producer staff, a variable-weight
product, and orders for Tuesday whose cut-off is Monday 17:00 UTC."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import Unit
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.orders.models import OrderStatus
from marketplace.orders.services import place_order
from marketplace.orders.transitions import move_order
from tests import factories as f
from tests.conftest import NOW
from tests.orders.helpers import AFTER_MONDAY_CUTOFF, TUESDAY, World, make_world

__all__ = ["AFTER_MONDAY_CUTOFF", "NOW", "TUESDAY", "PackingWorld", "make_packing_world", "notices", "order_for"]


@dataclass
class PackingWorld:
    world: World
    staff_a: object
    staff_b: object
    roast: object  # producer A, "ca. 500 g", 6,00 € (12,00 €/kg), ±20 %

    def __getattr__(self, name):
        return getattr(self.world, name)


def make_packing_world() -> PackingWorld:
    world = make_world()
    staff_a = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    staff_b = f.make_user(role=Role.PRODUCER, scope_id=world.producer_b.id)
    roast = f.make_product(world.producer_a, name="Schweinebraten", unit=Unit.PIECE, unit_weight_g=500,
                           weight_tolerance_pct=20, price_cents=600, vat_rate=7, stock=30)
    db.session.commit()
    return PackingWorld(world, staff_a, staff_b, roast)


def order_for(pw: PackingWorld, items, *, resident=None, fulfilment=None, now=NOW):
    """An order placed through the shop's service and confirmed (as pay on pickup does)."""
    order = place_order(
        resident=resident or pw.resident, items=[(p.id, q) for p, q in items], delivery_date=TUESDAY,
        fulfilment=fulfilment or pw.station_choice(), payment_method="pay_on_pickup", now=now,
    )
    move_order(order, OrderStatus.CONFIRMED, now=now)
    db.session.commit()
    return order


def notices(kind: str, recipient=None) -> list[Notification]:
    query = select(Notification).where(Notification.kind == kind)
    if recipient is not None:
        query = query.where(Notification.recipient_id == recipient.id)
    return list(db.session.scalars(query.order_by(Notification.id)))
