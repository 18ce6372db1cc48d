"""Refunds while the gateway is away: the short line, the goods not collected and the cancellation
commit at once, the refund is owed, and the job `make_owed_refunds` makes it once, later, of
exactly its amount; the reconciliation lists one owed for longer than a day."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.api.auth import issue_token
from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.jobs.runner import tick
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.collection import expire_uncollected
from marketplace.orders.models import OrderLine, OrderStatus
from marketplace.orders.packing import mark_line_short
from marketplace.payments.gateway import GatewayError
from marketplace.payments.models import RefundStatus, Transfer
from marketplace.payments.payouts import pay_out_delivered
from marketplace.payments.reconcile import reconcile
from marketplace.payments.refunds import make_owed_refunds
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.orders.helpers import TUESDAY
from tests.payments.helpers import (
    Refund,
    count,
    get_order,
    get_payment,
    onboard,
    paid_order,
    waiting_at_its_place,
)


def _line(order, product) -> OrderLine:
    return next(line for line in order.lines if line.product_id == product.id)


def _refunds(order_id: int) -> list[tuple[str, int, RefundStatus]]:
    db.session.expire_all()
    return sorted((r.key, r.amount_cents, r.status) for r in db.session.scalars(
        select(Refund).where(Refund.payment.has(order_id=order_id))))


def _signed_in(client, user, page: str) -> str:
    """The user signed in; the CSRF token of `page`."""
    db.session.commit()
    login(client, user.email, f.TEST_PASSWORD)
    return csrf_token_from(client, page)


OWED, MADE = RefundStatus.OWED, RefundStatus.MADE


# -- a line marked short ----------------------------------------------------------------------

def test_a_producer_marks_a_line_short_while_stripe_is_away_and_the_job_refunds_it_later(client, world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    intent = get_payment(order.id).intent_id
    bread = _line(order, world.bread)
    staff = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    token = _signed_in(client, staff, f"/me/producer/tage/{TUESDAY.isoformat()}")
    fake.is_down = True
    response = client.post(f"/me/producer/tage/positionen/{bread.id}/fehlmenge",
                           data={"fehlmenge": "2", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OrderLine, bread.id).short_quantity == 2
    assert get_order(order.id).total_cents == 1800
    assert _refunds(order.id) == [(f"short:line:{bread.id}:2", 900, OWED)]
    assert fake.refunds == {}
    assert db.session.scalars(select(Refund)).one().last_error.startswith("api_connection_error")
    assert make_owed_refunds(now=now) == 0  # still away: still owed
    fake.is_down = False
    assert make_owed_refunds(now=now + timedelta(minutes=15)) == 1
    assert make_owed_refunds(now=now + timedelta(minutes=30)) == 0
    assert _refunds(order.id) == [(f"short:line:{bread.id}:2", 900, MADE)]
    assert fake.refunded(intent) == 900 == get_payment(order.id).refunded_cents
    assert fake.calls.count("refund") == 1


def test_the_api_marks_a_line_short_while_stripe_is_away(client, world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    bread = _line(order, world.bread)
    staff = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    db.session.commit()
    headers = {"Authorization": f"Bearer {issue_token(staff)}"}
    fake.is_down = True
    response = client.patch(f"/api/v1/producer/lines/{bread.id}", json={"short_quantity": 2}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert _refunds(order.id) == [(f"short:line:{bread.id}:2", 900, OWED)]


def test_owed_refunds_count_so_that_nothing_is_refunded_above_the_capture(world, fake, now):
    door = FulfilmentChoice("door", window="08:00-12:00")
    order = paid_order(world, fake, now, [(world.bread.id, 6)], fulfilment=door)
    payment = get_payment(order.id)
    bread = _line(order, world.bread)
    fake.is_down = True
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    db.session.commit()
    mark_line_short(line=bread, short_quantity=6, actor=None, now=now)  # nothing left: cancelled
    db.session.commit()
    assert get_order(order.id).status == OrderStatus.CANCELLED
    assert _refunds(order.id) == [("cancelled", 390, OWED), (f"short:line:{bread.id}:2", 900, OWED),
                                  (f"short:line:{bread.id}:6", 1800, OWED)]
    assert get_payment(order.id).refunded_cents == 3090 == payment.captured_cents
    fake.is_down = False
    assert make_owed_refunds(now=now) == 3
    assert fake.refunded(payment.intent_id) == 3090


# -- the job, twice and at the same time -------------------------------------------------------

def _owed_short_refund(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    fake.is_down = True
    mark_line_short(line=_line(order, world.bread), short_quantity=2, actor=None, now=now)
    db.session.commit()
    fake.is_down = False
    return order


def test_the_job_ticks_every_15_minutes_and_refunds_once(world, fake, now):
    order = _owed_short_refund(world, fake, now)
    job = JOBS["make_owed_refunds"]
    [first] = tick(now=now, jobs=[job])
    assert (first.result, first.detail) == ("ran", "1")
    assert tick(now=now + timedelta(minutes=5), jobs=[job])[0].result == "not_due"
    [again] = tick(now=now + timedelta(minutes=15), jobs=[job])
    assert (again.result, again.detail) == ("ran", "0")
    assert fake.refunded(get_payment(order.id).intent_id) == 900 and count(Refund) == 1


def test_two_runs_at_the_same_time_refund_once(app, world, fake, now, monkeypatch):
    order = _owed_short_refund(world, fake, now)
    refund, start = fake.refund, threading.Barrier(2)

    def slow_refund(**kw):
        threading.Event().wait(0.2)  # both runs are in flight while Stripe answers the first
        return refund(**kw)

    monkeypatch.setattr(fake, "refund", slow_refund)

    def run(_):
        with app.app_context():
            start.wait(timeout=10)
            try:
                return make_owed_refunds(now=now)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(run, range(2), timeout=60))
    assert len(results) == 2
    assert len(fake.refunds) == 1 and fake.refunded(get_payment(order.id).intent_id) == 900
    assert [status for _, _, status in _refunds(order.id)] == [MADE]
    if db.engine.dialect.name == "postgresql":
        # The payment's row lock: the second run waits for the first and finds its refund made.
        assert results == [0, 1] and fake.calls.count("refund") == 1


# -- goods not collected ------------------------------------------------------------------------

def test_staff_record_not_collected_while_stripe_is_away_and_the_job_refunds_it_later(client, world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 2)], fulfilment=world.sales_point_choice())
    waiting_at_its_place(order, now)
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=world.sales_point.id)
    token = _signed_in(client, staff, f"/sales-point/{world.sales_point.id}")
    fake.is_down = True
    response = client.post(f"/sales-point/{world.sales_point.id}/orders/{order.id}/not-collected",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert get_order(order.id).status == OrderStatus.NOT_COLLECTED
    bread = _line(order, world.bread)
    assert _refunds(order.id) == [(f"not_collected:line:{bread.id}", 900, OWED)]
    fake.is_down = False
    assert make_owed_refunds(now=now) == 1
    assert make_owed_refunds(now=now) == 0
    assert _refunds(order.id) == [(f"not_collected:line:{bread.id}", 900, MADE)]
    assert fake.refunded(get_payment(order.id).intent_id) == 900


def test_goods_that_expire_while_stripe_is_away_are_not_collected_and_refunded_later(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 2)])
    other = paid_order(world, fake, now, [(world.bread.id, 1)])
    waiting_at_its_place(order, now)
    waiting_at_its_place(other, now)
    fake.is_down = True
    assert expire_uncollected(now=now + timedelta(hours=25)) == 2
    db.session.commit()
    assert {get_order(order.id).status, get_order(other.id).status} == {OrderStatus.NOT_COLLECTED}
    assert expire_uncollected(now=now + timedelta(hours=26)) == 0
    fake.is_down = False
    assert make_owed_refunds(now=now + timedelta(hours=26)) == 2
    assert fake.refunded(get_payment(order.id).intent_id) == 900
    assert fake.refunded(get_payment(other.id).intent_id) == 450
    assert count(Refund) == 2


def test_a_producers_share_already_paid_out_is_reversed_once_with_the_owed_refund(world, fake, now, monkeypatch):
    order = paid_order(world, fake, now, [(world.bread.id, 2)])
    stay = waiting_at_its_place(order, now)
    onboard(world.producer_a, fake, now)
    assert pay_out_delivered(now=now) == 1
    transfer = db.session.scalars(select(Transfer).where(Transfer.order_id == order.id)).one()
    fake.is_down = True
    expire_uncollected(now=stay.collect_by + timedelta(minutes=1))
    db.session.commit()
    db.session.refresh(transfer)
    # Booked with the refund (the transfer's figures say so), reversed at Stripe when it is made.
    assert transfer.reversed_cents == 810 and fake.transfers[transfer.stripe_transfer_id]["reversed"] == 0
    fake.is_down = False
    reverse = fake.reverse_transfer

    def reversal_fails(*args, **kw):
        raise GatewayError("Stripe is away", code="api_connection_error")

    monkeypatch.setattr(fake, "reverse_transfer", reversal_fails)
    assert make_owed_refunds(now=now) == 0  # refunded, but the reversal is still owed
    [refund] = db.session.scalars(select(Refund)).all()
    assert refund.status == OWED and refund.stripe_refund_id is not None
    monkeypatch.setattr(fake, "reverse_transfer", reverse)
    assert make_owed_refunds(now=now) == 1
    assert make_owed_refunds(now=now) == 0
    assert fake.transfers[transfer.stripe_transfer_id]["reversed"] == 810
    assert fake.refunded(get_payment(order.id).intent_id) == 900 and fake.calls.count("refund") == 1


# -- cancelled before the cut-off ---------------------------------------------------------------

def test_a_resident_cancels_while_stripe_is_away_and_the_job_refunds_it_later(client, auth, world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 2)])
    fake.is_down = True
    response = client.post(f"/api/v1/orders/{order.id}/cancel", headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "cancelled"
    assert get_order(order.id).status == OrderStatus.CANCELLED
    assert _refunds(order.id) == [("cancelled", 900, OWED)]
    again = client.post(f"/api/v1/orders/{order.id}/cancel", headers=auth)
    assert again.status_code == 409 and count(Refund) == 1
    fake.is_down = False
    assert make_owed_refunds(now=now) == 1
    assert make_owed_refunds(now=now) == 0
    assert _refunds(order.id) == [("cancelled", 900, MADE)]
    assert fake.refunded(get_payment(order.id).intent_id) == 900


# -- the reconciliation -----------------------------------------------------------------------------

def test_the_reconciliation_lists_a_refund_owed_for_longer_than_a_day(runner, world, fake, now, clock):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    fake.is_down = True
    mark_line_short(line=_line(order, world.bread), short_quantity=2, actor=None, now=now)
    db.session.commit()
    fake.is_down = False  # back, but the job has not run yet

    def owed(at):
        return [x for x in reconcile(since=timedelta(hours=72), now=at, tell=False) if x.kind == "refund_owed"]

    assert owed(now + timedelta(hours=23)) == []
    [finding] = owed(now + timedelta(hours=25))
    assert (finding.order_number, finding.region_id) == (order.number, world.sub_region.region_id)
    assert "900 cents" in finding.detail and "api_connection_error" in finding.detail
    clock.now = now + timedelta(hours=25)
    result = runner.invoke(args=["payments", "reconcile", "--since", "72h"])
    assert result.exit_code == 0, result.output
    assert f"refund_owed\t{order.number}\t" in result.output
    assert make_owed_refunds(now=now + timedelta(hours=25)) == 1
    assert owed(now + timedelta(hours=26)) == []
