"""The basket: kept in the database, validated like an order line."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders import checkout, queries
from marketplace.orders.services import (
    add_to_cart,
    cart_items,
    clear_cart,
    get_or_create_cart,
    remove_from_cart,
    set_cart_quantity,
)
from tests.orders.helpers import make_world


@pytest.fixture
def world(db):
    return make_world()


def test_the_basket_is_kept_per_user_and_adds_up(world):
    user = world.resident
    add_to_cart(user=user, product_id=world.bread.id, quantity=2)
    add_to_cart(user=user, product_id=world.bread.id, quantity=3)
    add_to_cart(user=user, product_id=world.milk.id, quantity=1)
    db.session.commit()
    db.session.expire_all()
    assert get_or_create_cart(user).id == queries.get_cart_of(user.id).id
    assert sorted(cart_items(user)) == sorted([(world.bread.id, 5), (world.milk.id, 1)])
    assert queries.count_cart_items(user.id) == 6


def test_set_and_remove_and_clear(world):
    user = world.resident
    add_to_cart(user=user, product_id=world.bread.id, quantity=2)
    set_cart_quantity(user=user, product_id=world.bread.id, quantity=7)
    set_cart_quantity(user=user, product_id=world.wine.id, quantity=1)
    assert sorted(cart_items(user)) == sorted([(world.bread.id, 7), (world.wine.id, 1)])
    remove_from_cart(user=user, product_id=world.bread.id)
    assert cart_items(user) == [(world.wine.id, 1)]
    clear_cart(user)
    db.session.commit()
    assert cart_items(user) == []


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "abc", 10**12, True])
def test_the_basket_refuses_bad_quantities(world, quantity):
    with pytest.raises(checkout.InvalidQuantity):
        add_to_cart(user=world.resident, product_id=world.bread.id, quantity=quantity)
    with pytest.raises(checkout.InvalidQuantity):
        set_cart_quantity(user=world.resident, product_id=world.bread.id, quantity=quantity)
    assert cart_items(world.resident) == []


def test_the_basket_refuses_more_than_is_in_stock_also_in_sum(world):
    add_to_cart(user=world.resident, product_id=world.wine.id, quantity=4)
    with pytest.raises(checkout.OutOfStock):
        add_to_cart(user=world.resident, product_id=world.wine.id, quantity=2)
    assert cart_items(world.resident) == [(world.wine.id, 4)]
    add_to_cart(user=world.resident, product_id=world.cake.id, quantity=50)  # made to order


def test_the_basket_refuses_unknown_and_inactive_products(world):
    world.wine.is_active = False
    with pytest.raises(checkout.UnknownProduct):
        add_to_cart(user=world.resident, product_id=999_999, quantity=1)
    with pytest.raises(checkout.ProductUnavailable):
        add_to_cart(user=world.resident, product_id=world.wine.id, quantity=1)
    assert cart_items(world.resident) == []
