"""An Idempotency-Key makes placing an order safe to retry."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders import checkout, services
from marketplace.orders.services import place_order
from tests import factories as f
from tests.orders.helpers import FRIDAY, TUESDAY, count_orders, make_world, stocks


@pytest.fixture
def world(db):
    return make_world()


def _place(world, items, now, key, resident=None, day=TUESDAY):
    return place_order(
        resident=resident or world.resident, items=items, delivery_date=day,
        fulfilment=world.station_choice(), payment_method="pay_on_pickup", now=now,
        idempotency_key=key,
    )


def test_the_same_key_and_basket_return_the_first_order_and_take_stock_once(world, now):
    first = _place(world, [(world.bread.id, 2), (world.wine.id, 1)], now, "key-1")
    db.session.commit()
    # The same basket in another line order is the same request.
    again = _place(world, [(world.wine.id, 1), (world.bread.id, 2)], now, "key-1")
    db.session.commit()
    assert again.id == first.id and count_orders() == 1
    assert stocks(world.bread, world.wine) == {world.bread.id: 18, world.wine.id: 4}


def test_the_same_key_with_another_basket_is_refused(world, now):
    _place(world, [(world.bread.id, 2)], now, "key-1")
    db.session.commit()
    with pytest.raises(checkout.IdempotencyMismatch) as refused:
        _place(world, [(world.bread.id, 3)], now, "key-1")
    assert refused.value.status == 422 and refused.value.code == "idempotency_mismatch"
    with pytest.raises(checkout.IdempotencyMismatch):
        _place(world, [(world.bread.id, 2)], now, "key-1", day=FRIDAY)
    db.session.rollback()
    assert count_orders() == 1 and stocks(world.bread) == {world.bread.id: 18}


def test_keys_belong_to_one_resident(world, now):
    neighbour = f.make_user(home=world.resident.home_place)
    mine = _place(world, [(world.bread.id, 1)], now, "shared")
    theirs = _place(world, [(world.bread.id, 1)], now, "shared", resident=neighbour)
    db.session.commit()
    assert mine.id != theirs.id and count_orders() == 2


def test_without_a_key_every_call_places_a_new_order(world, now):
    _place(world, [(world.bread.id, 1)], now, None)
    _place(world, [(world.bread.id, 1)], now, None)
    assert count_orders() == 2


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_an_empty_or_huge_key_is_refused(world, now, key):
    with pytest.raises(checkout.InvalidIdempotencyKey):
        _place(world, [(world.bread.id, 1)], now, key)


def test_a_request_that_loses_the_race_for_its_key_returns_the_winners_order(world, now, monkeypatch):
    # Both requests looked for the key before either had written: the second one's INSERT then
    # meets the unique key. It rolls back (also the stock it took) and answers with the first.
    first = _place(world, [(world.bread.id, 2)], now, "key-race")
    db.session.commit()
    looked = []
    real_existing = services._existing_order

    def not_yet_written(*args):
        if not looked:
            looked.append(True)
            return None  # what the loser saw before the winner committed
        return real_existing(*args)

    monkeypatch.setattr(services, "_existing_order", not_yet_written)
    again = _place(world, [(world.bread.id, 2)], now, "key-race")
    db.session.commit()
    assert looked and again.id == first.id and count_orders() == 1
    assert stocks(world.bread) == {world.bread.id: 18}
