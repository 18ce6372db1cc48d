"""Goods the driver delivered to a sales point whose staff do not confirm receipt: the staff are
reminded, later the sub-region's coordinators are told; the resident is never told to come for
goods nobody confirmed (no code before the staff confirm)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.notifications.gsm7 import fits_one_sms
from marketplace.notifications.kinds import KINDS, LANGUAGES, render
from marketplace.notifications.models import Notification
from marketplace.orders.models import OrderStatus
from marketplace.pickup.collection import get_stay, put_into_place, receive_at_sales_point
from marketplace.pickup.models import PickupCode
from marketplace.pickup.receipts import ReceiptDelays, remind_unconfirmed_receipts
from tests import factories as f

DAY = date(2026, 3, 3)
ARRIVED = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
DELAYS = ReceiptDelays(remind=timedelta(hours=2), escalate=timedelta(hours=8))


@pytest.fixture
def world(db):
    point = f.make_sales_point()
    sub_region = point.sub_region
    resident = f.make_user(home=point.place)
    world = {
        "point": point, "resident": resident,
        "staff": [f.make_user(role=Role.SALES_POINT_STAFF, scope_id=point.id) for _ in range(2)],
        "other_staff": f.make_user(role=Role.SALES_POINT_STAFF, scope_id=f.make_sales_point().id),
        "coordinator": f.make_user(role=Role.COORDINATOR, scope_id=sub_region.id),
        "other_coordinator": f.make_user(role=Role.COORDINATOR, scope_id=f.make_sub_region().id),
        "orders": [f.make_order(resident, [(f.make_product(), 1)], place=point, day=DAY,
                                status=OrderStatus.DELIVERED) for _ in range(2)],
    }
    put_into_place(world["orders"], now=ARRIVED)
    db.session.commit()
    return world


def _told(kind):
    return db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def _run(hours: float) -> int:
    count = remind_unconfirmed_receipts(now=ARRIVED + timedelta(hours=hours), delays=DELAYS)
    db.session.commit()
    return count


def test_nobody_is_told_before_the_reminder_delay(world):
    assert _run(1.9) == 0
    assert _told("receipt_overdue") == [] and _told("receipt_overdue_coordinator") == []


def test_the_staff_are_reminded_once_with_every_unconfirmed_order(app, world):
    assert _run(2) == 2
    reminders = _told("receipt_overdue")
    assert sorted(n.recipient_id for n in reminders) == sorted(s.id for s in world["staff"])
    assert reminders[0].place_id == world["point"].id
    with app.test_request_context():
        text = render("receipt_overdue", reminders[0].context, "de").text
    assert all(order.number in text for order in world["orders"]) and world["point"].name in text
    assert _run(3) == 0 and len(_told("receipt_overdue")) == 2
    assert _told("receipt_overdue_coordinator") == []


def test_the_coordinator_is_told_after_the_longer_delay_once(app, world):
    _run(2)
    assert _run(8) == 2
    told = _told("receipt_overdue_coordinator")
    assert [n.recipient_id for n in told] == [world["coordinator"].id]
    with app.test_request_context():
        text = render("receipt_overdue_coordinator", told[0].context, "de").text
    assert world["point"].name in text and world["orders"][0].number in text
    assert _run(9) == 0 and len(_told("receipt_overdue_coordinator")) == 1


def test_the_resident_is_not_told_and_gets_no_code_while_nobody_confirmed(world):
    _run(2)
    _run(8)
    resident_id = world["resident"].id
    assert [n for n in db.session.scalars(select(Notification)) if n.recipient_id == resident_id] == []
    assert db.session.scalars(select(PickupCode)).all() == []
    assert all(get_stay(o.id).received_at is None for o in world["orders"])


def test_received_goods_are_not_reminded(world):
    receive_at_sales_point(get_stay(world["orders"][0].id), staff=world["staff"][0], now=ARRIVED + timedelta(hours=1))
    db.session.commit()
    assert _run(8) == 2  # the other order: one reminder, one escalation
    for n in _told("receipt_overdue") + _told("receipt_overdue_coordinator"):
        assert world["orders"][0].number not in str(n.context)


def test_a_cancelled_or_handed_over_order_is_not_reminded(world):
    world["orders"][0].status = OrderStatus.CANCELLED
    world["orders"][1].status = OrderStatus.PICKED_UP
    db.session.commit()
    assert _run(8) == 0


def test_the_job_runs_in_the_tick_with_the_configured_delays(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PICKUP_RECEIPT_REMINDER_H", 2)
    monkeypatch.setitem(app.config, "PICKUP_RECEIPT_ESCALATION_H", 8)
    job = JOBS["remind_unconfirmed_receipts"]
    assert job.run(ARRIVED + timedelta(hours=1)) == 0
    assert job.run(ARRIVED + timedelta(hours=8)) == 4
    assert len(_told("receipt_overdue")) == 2 and len(_told("receipt_overdue_coordinator")) == 1


@pytest.mark.parametrize("kind", ["receipt_overdue", "receipt_overdue_coordinator"])
def test_the_receipt_messages_fit_one_sms(app, kind):
    # test_kinds parametrises over the kinds registered when it is collected: these are checked here.
    with app.test_request_context():
        assert all(fits_one_sms(render(kind, KINDS[kind].sample, language).sms) for language in LANGUAGES)
