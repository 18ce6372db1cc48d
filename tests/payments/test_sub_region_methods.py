"""Switching a sub-region's payment methods: one service for the pages and the CLI, each change
logged, refusals change nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import PaymentMethod
from marketplace.payments.models import SubRegionPaymentMethod
from marketplace.payments.providers import offered_methods
from marketplace.payments.sub_region_methods import (
    NoPaymentMethodLeft,
    PaymentMethodNotConfigured,
    UnknownPaymentMethod,
    list_method_states,
    set_payment_methods,
)
from marketplace.regions.changes import RegionChange
from tests.orders.helpers import make_world
from tests.payments.invoice_helpers import allow_invoice


@pytest.fixture
def world(db):
    return make_world()


def _offered(world):
    return offered_methods(sub_region_id=world.sub_region.id, fulfilment="sales_point", resident=world.resident)


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SubRegionPaymentMethod))


def _log() -> list[RegionChange]:
    return list(db.session.scalars(select(RegionChange).order_by(RegionChange.id)))


def test_switching_off_invoice_takes_it_from_the_checkout_and_logs_who_when_what(world, now):
    allow_invoice(world.resident, now=now)
    assert _offered(world) == [PaymentMethod.PAY_ON_PICKUP, PaymentMethod.INVOICE]
    set_payment_methods(sub_region=world.sub_region, changes={"invoice": False}, actor=world.resident, now=now)
    db.session.commit()
    assert _offered(world) == [PaymentMethod.PAY_ON_PICKUP]
    (change,) = _log()
    assert (change.action, change.actor_id, change.at, change.object_id) == (
        "sub_region.payment_methods_changed", world.resident.id, now, world.sub_region.id)
    assert change.before == {"pay_on_pickup": True, "stripe": True, "invoice": True}
    assert change.after == {"pay_on_pickup": True, "stripe": True, "invoice": False}
    # Another sub-region keeps its methods.
    assert PaymentMethod.INVOICE in offered_methods(
        sub_region_id=world.other_sub_region.id, fulfilment="sales_point", resident=world.resident)


def test_switching_on_again_and_saving_without_a_change_logs_once_each_change(world, now):
    set_payment_methods(sub_region=world.sub_region, changes={"invoice": False}, actor=world.resident, now=now)
    set_payment_methods(sub_region=world.sub_region, changes={"invoice": False}, actor=world.resident, now=now)
    set_payment_methods(sub_region=world.sub_region, changes={"invoice": True}, actor=world.resident, now=now)
    db.session.commit()
    assert [c.after["invoice"] for c in _log()] == [False, True]
    assert _rows() == 1


@pytest.mark.parametrize("changes, error", [
    ({"bitcoin": True}, UnknownPaymentMethod),
    ({"pay_on_pickup": False, "bitcoin": False}, UnknownPaymentMethod),
    ({"stripe": True}, PaymentMethodNotConfigured),  # no Stripe keys in this world
    ({"pay_on_pickup": False, "invoice": False}, NoPaymentMethodLeft),
])
def test_a_refused_change_writes_nothing(world, now, changes, error):
    with pytest.raises(error) as refused:
        set_payment_methods(sub_region=world.sub_region, changes=changes, actor=world.resident, now=now)
    db.session.rollback()
    assert refused.value.status == 422
    assert _rows() == 0 and _log() == []
    assert all(s.is_enabled for s in list_method_states(world.sub_region.id))


def test_with_stripe_configured_stripe_alone_may_stay_on(world, now, fake):
    states = set_payment_methods(sub_region=world.sub_region, changes={"pay_on_pickup": False, "invoice": False},
                                 actor=world.resident, now=now)
    db.session.commit()
    assert [(s.method.value, s.is_offered) for s in states] == [
        ("pay_on_pickup", False), ("stripe", True), ("invoice", False)]
    with pytest.raises(NoPaymentMethodLeft):
        set_payment_methods(sub_region=world.sub_region, changes={"stripe": False}, actor=world.resident, now=now)


def test_without_keys_stripe_is_listed_as_not_configured(world):
    stripe = next(s for s in list_method_states(world.sub_region.id) if s.method == PaymentMethod.STRIPE)
    assert stripe.is_enabled and not stripe.is_configured and not stripe.is_offered


# --- flask payments methods -------------------------------------------------------------------

def test_the_cli_switches_through_the_same_service_and_is_logged(world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payments", "methods", world.sub_region.slug, "--off", "invoice"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["pay_on_pickup\ton", "stripe\ton (not configured)", "invoice\toff"]
    (change,) = _log()
    assert (change.actor_id, change.actor_name, change.after["invoice"]) == (None, "flask payments methods", False)


@pytest.mark.parametrize("args", [
    ["--on", "stripe"],                           # no keys
    ["--off", "pay_on_pickup", "--off", "invoice"],  # nothing left
    ["--on", "invoice", "--off", "invoice"],
    ["--off", "bitcoin"],
])
def test_the_cli_refuses_what_the_service_refuses_and_changes_nothing(world, app, args):
    result = app.test_cli_runner().invoke(args=["payments", "methods", world.sub_region.slug, *args])
    assert result.exit_code != 0
    db.session.rollback()
    assert _rows() == 0 and _log() == []
