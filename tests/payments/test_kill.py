"""A process killed at four points of checkout, 50 times each, on PostgreSQL, against localstripe.

Each run forks a child of the test process (the app already imported: a run costs milliseconds)
that sets `LANDKORB_CRASH_AT` and is ended by `os._exit` at that point; the parent then does
what Stripe would (deliver the event again) and what the jobs do (reconcile). Afterwards: no
succeeded PaymentIntent without its order (or its refund), no order without its stock, at most
one order per PaymentIntent.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.checkout.rules import list_open_delivery_days
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.orders.transitions import HOLDS_STOCK
from marketplace.payments.faults import POINTS
from marketplace.payments.gateway import install_gateway
from marketplace.payments.models import Payment
from marketplace.payments.reconcile import reconcile
from marketplace.payments.services import submit_order
from marketplace.payments.webhooks import handle_event
from tests import factories as f
from tests.orders.helpers import TUESDAY, make_world, stock_of
from tests.payments.test_gateway_contract import LocalstripeBrowser

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]
RUNS = 50


def _event(n: int, intent_id: str) -> dict:
    return {"id": f"evt_kill_{n}_{intent_id}", "type": "payment_intent.succeeded",
            "data": {"object": {"object": "payment_intent", "id": intent_id}}}


def _child(ids: dict, point: str, n: int, now, browser) -> None:
    """Runs in the forked process: one checkout (and, for after_success, its payment)."""
    db.session.remove()
    db.engine.dispose(close=False)
    if point != "after_success":
        os.environ["LANDKORB_CRASH_AT"] = point
    order, payment = submit_order(resident=db.session.get(User, ids["resident"]),
                                  items=[(ids["bread"], 1)], delivery_date=TUESDAY,
                                  fulfilment=FulfilmentChoice("station", ids["station"]),
                                  payment_method="stripe", now=now)
    db.session.commit()
    if point == "after_success":
        browser.confirm(payment.payment_intent_id)
        os.environ["LANDKORB_CRASH_AT"] = point
        handle_event(_event(n, payment.payment_intent_id), now=now)
        db.session.commit()
    os._exit(0)


def test_killed_checkouts_leave_no_money_without_an_order_and_no_order_without_stock(app, db, stripe_gateway, now):
    world = make_world()
    world.bread.stock = 1000
    # A compartment for every paid order of the run (checkout reserves one per order).
    station = f.make_station(world.station.place, compartments=(("M", "ambient", RUNS * len(POINTS)),))
    db.session.commit()
    ids = {"resident": world.resident.id, "bread": world.bread.id, "station": station.id}
    install_gateway(app, stripe_gateway)
    browser = LocalstripeBrowser(stripe_gateway)
    # Warm up in the parent what is imported lazily (the holiday calendar, the client's
    # resources), so that each child costs milliseconds instead of re-importing it.
    list_open_delivery_days(world.sub_region, now)
    warm = stripe_gateway.create_intent(amount=100, currency="eur", transfer_group="warm-up", metadata={},
                                        idempotency_key=f"warm-up-{os.getpid()}-{now.timestamp()}")
    browser.confirm(warm.id)
    stripe_gateway.refund(intent_id=warm.id, amount=100, metadata={}, idempotency_key=f"{warm.id}-r")
    before = {i.id for i in stripe_gateway.list_intents(created_after=0)}  # warm-up and other tests' intents
    try:
        n = 0
        for point in POINTS:
            for _ in range(RUNS):
                n += 1
                db.session.commit()
                pid = os.fork()
                if pid == 0:
                    try:
                        _child(ids, point, n, now, browser)
                    finally:
                        os._exit(1)
                _, status = os.waitpid(pid, 0)
                assert os.waitstatus_to_exitcode(status) == 137, (point, n)
                if point == "after_success":  # Stripe delivers the event again
                    db.session.expire_all()
                    intent_id = db.session.scalars(select(Payment.intent_id).order_by(Payment.id.desc())).first()
                    handle_event(_event(n, intent_id), now=now)
                    db.session.commit()
        db.session.expire_all()
        reconcile(since=timedelta(hours=72), now=now, tell=False)
        db.session.commit()

        # No order without its stock.
        held = db.session.scalar(select(func.coalesce(func.sum(OrderLine.quantity), 0)).join(Order).where(
            Order.status.in_(HOLDS_STOCK)))
        assert stock_of(ids["bread"]) == 1000 - held
        # At most one order per PaymentIntent; no succeeded PaymentIntent without its order.
        payments = {p.intent_id: p for p in db.session.scalars(select(Payment))}
        intents = [i for i in stripe_gateway.list_intents(created_after=0) if i.id not in before]
        numbers = [i.metadata.get("order_number") for i in intents if i.id in payments]
        assert len(numbers) == len(set(numbers))
        succeeded = [i for i in intents if i.status == "succeeded"]
        assert len(succeeded) == RUNS
        for intent in succeeded:
            assert intent.id in payments and payments[intent.id].order.status == OrderStatus.CONFIRMED
        counts = {status: db.session.scalar(select(func.count()).select_from(Order).where(Order.status == status))
                  for status in (OrderStatus.PLACED, OrderStatus.CONFIRMED)}
        # after_reserving and after_intent and before_commit leave nothing; after_success, a paid order.
        assert counts == {OrderStatus.PLACED: 0, OrderStatus.CONFIRMED: RUNS}
    finally:
        install_gateway(app, None)
