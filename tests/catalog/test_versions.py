"""The catalogue's version goes up with every committed change the catalogue shows, and only then."""
from __future__ import annotations

import pytest

from marketplace.admin.demo import seed_demo
from marketplace.catalog.services import change_product
from marketplace.catalog.versions import bump_catalog_version, get_catalog_version
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.models import Order
from marketplace.orders.services import cancel_order, expire_order, place_order
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY, make_world


@pytest.fixture
def world(db):
    return make_world()


def _committed_version() -> int:
    db.session.rollback()
    return get_catalog_version()


def _place(world, quantity=1, product=None):
    placed = place_order(
        resident=world.resident, items=[((product or world.wine).id, quantity)],
        delivery_date=TUESDAY, fulfilment=world.station_choice(),
        payment_method="pay_on_pickup", now=NOW,
    )
    return db.session.get(Order, placed.id)


def test_a_rolled_back_change_leaves_the_version_as_it_was(world):
    before = _committed_version()
    _place(world)
    bump_catalog_version()
    db.session.rollback()
    assert _committed_version() == before


def test_placing_cancelling_and_expiring_orders_each_raise_the_version(world):
    before = _committed_version()
    order = _place(world, 2)
    db.session.commit()
    assert _committed_version() == before + 1
    cancel_order(order=order, actor=world.resident, now=NOW)
    db.session.commit()
    assert _committed_version() == before + 2
    expire_order(order=_place(world), now=NOW)
    db.session.commit()
    assert _committed_version() == before + 4


def test_a_refused_order_leaves_the_version_as_it_was(world):
    before = _committed_version()
    with pytest.raises(checkout.OutOfStock):
        _place(world, quantity=6)
    db.session.commit()  # even a caller that commits after the refusal
    assert _committed_version() == before


def test_a_producers_change_and_the_seed_raise_the_version(world):
    before = _committed_version()
    change_product(world.wine, {"price_cents": 1350, "stock": 3})
    db.session.commit()
    assert _committed_version() == before + 1
    with pytest.raises(ValueError):
        change_product(world.wine, {"name": "Spätburgunder"})
    seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000")
    db.session.commit()
    assert _committed_version() == before + 2
