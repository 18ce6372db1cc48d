"""The provider registry and pay on pickup: confirmed at once, once."""
from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.orders.models import OrderStatus, PaymentMethod
from marketplace.payments.providers import (
    NextAction,
    PaymentMethodUnavailable,
    PayOnPickup,
    available_methods,
    get_provider,
    offered_methods,
)
from marketplace.payments.services import start_payment, submit_order
from marketplace.payments.sub_region_methods import set_payment_methods
from tests.orders.helpers import TUESDAY, count_events, count_orders, make_world, stocks


@pytest.fixture
def world(db):
    return make_world()


def _submit(world, now, method="pay_on_pickup", key=None, fulfilment=None):
    return submit_order(
        resident=world.resident, items=[(world.bread.id, 2)], delivery_date=TUESDAY,
        fulfilment=fulfilment or world.sales_point_choice(), payment_method=method, now=now,
        idempotency_key=key,
    )


def test_pay_on_pickup_stripe_and_invoice_are_registered():
    assert isinstance(get_provider(PaymentMethod.PAY_ON_PICKUP), PayOnPickup)
    assert available_methods() == [PaymentMethod.PAY_ON_PICKUP, PaymentMethod.STRIPE, PaymentMethod.INVOICE]
    with pytest.raises(PaymentMethodUnavailable):
        get_provider("bitcoin")


def test_pay_on_pickup_is_offered_at_sales_points_and_the_door_never_at_a_station(world):
    sub = world.resident.home_sub_region.id
    assert PaymentMethod.PAY_ON_PICKUP in offered_methods(sub_region_id=sub, fulfilment="sales_point", resident=None)
    assert PaymentMethod.PAY_ON_PICKUP in offered_methods(sub_region_id=sub, fulfilment="door", resident=None)
    assert PaymentMethod.PAY_ON_PICKUP not in offered_methods(sub_region_id=sub, fulfilment="station", resident=None)


def test_pay_on_pickup_at_a_station_is_refused_and_takes_nothing(world, now):
    with pytest.raises(PaymentMethodUnavailable) as refused:
        _submit(world, now, fulfilment=world.station_choice())
    db.session.rollback()
    assert refused.value.status == 422 and refused.value.code == "payment_method_unavailable"
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}


def test_a_method_the_sub_region_switched_off_is_refused(world, now):
    set_payment_methods(sub_region=world.resident.home_sub_region, changes={"pay_on_pickup": False},
                        actor=world.resident, now=now)
    with pytest.raises(PaymentMethodUnavailable):
        _submit(world, now)
    db.session.rollback()
    assert count_orders() == 0


def test_pay_on_pickup_confirms_the_order_at_once(world, now):
    order, payment = _submit(world, now)
    db.session.commit()
    assert order.status == OrderStatus.CONFIRMED
    assert payment.next_action == NextAction.NONE
    assert [(e.kind, e.from_status, e.to_status) for e in order.events] == [
        ("placed", None, OrderStatus.PLACED), ("confirmed", OrderStatus.PLACED, OrderStatus.CONFIRMED),
    ]


def test_starting_the_payment_again_does_not_move_the_order_twice(world, now):
    order, _ = _submit(world, now, key="k")
    db.session.commit()
    events = count_events()
    again, payment = _submit(world, now, key="k")
    start_payment(order, now=now)
    db.session.commit()
    assert again.id == order.id and order.status == OrderStatus.CONFIRMED
    assert count_events() == events and payment.next_action == NextAction.NONE


def test_an_unavailable_method_takes_no_stock(world, now):
    with pytest.raises(PaymentMethodUnavailable):
        _submit(world, now, method="stripe")
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}
