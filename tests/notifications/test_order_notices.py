"""Orders tell their resident: placed, confirmed (alone when confirmed on placement), cancelled."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.orders.checkout import OutOfStock
from marketplace.orders.services import cancel_order, place_order
from marketplace.payments.services import submit_order
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY, make_world


def _kinds() -> list[tuple[str, str, int | None]]:
    return [(n.kind, str(n.channel), n.order_id) for n in db.session.scalars(select(Notification).order_by(Notification.id))]


@pytest.fixture
def world(db):
    return make_world()


def _order(world, quantity=1, **kw):
    return dict(resident=world.resident, items=[(world.bread.id, quantity)], delivery_date=TUESDAY,
                fulfilment=world.sales_point_choice(), payment_method="pay_on_pickup", now=NOW, **kw)


def test_a_placed_order_tells_its_resident(world):
    order = place_order(**_order(world))
    db.session.commit()
    assert _kinds() == [("order_placed", "email", order.id)]
    (notice,) = db.session.scalars(select(Notification)).all()
    assert notice.context["order_number"] == order.number
    assert notice.context["place_name"] == world.sales_point.name
    assert notice.place_id == world.sales_point.id  # a slip would be printed there


def test_an_order_confirmed_on_placement_sends_only_the_confirmation(world):
    order, _ = submit_order(**_order(world))
    db.session.commit()
    assert order.status == "confirmed"
    assert _kinds() == [("order_confirmed", "email", order.id)]


def test_the_same_order_sent_twice_tells_once(world):
    first, _ = submit_order(**_order(world, idempotency_key="k-1"))
    db.session.commit()
    again, _ = submit_order(**_order(world, idempotency_key="k-1"))
    db.session.commit()
    assert again.id == first.id
    assert _kinds() == [("order_confirmed", "email", first.id)]


def test_a_cancelled_order_tells_its_resident(world):
    order, _ = submit_order(**_order(world))
    db.session.commit()
    cancel_order(order=order, actor=world.resident, now=NOW)
    db.session.commit()
    assert [k for k, _, _ in _kinds()] == ["order_confirmed", "order_cancelled"]


def test_a_refused_order_tells_nobody(world):
    stock = db.session.get(Product, world.bread.id).stock
    with pytest.raises(OutOfStock):
        submit_order(**_order(world, quantity=stock + 1))
    db.session.rollback()
    assert _kinds() == []
