"""Paying by invoice: offered to residents the coordinator allows, confirmed at once, due in
14 days, reminded once by `jobs tick`, marked paid once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.services import cancel_order
from marketplace.payments.invoice_method import (
    AlreadyPaid,
    amount_due_cents,
    get_invoice_due,
    mark_invoice_paid,
    remind_overdue_invoices,
    set_billing_profile,
)
from marketplace.payments.invoices import list_order_invoices
from marketplace.payments.providers import PaymentMethodUnavailable
from tests import factories as f
from tests.orders.helpers import make_world, stocks
from tests.payments.invoice_helpers import allow_invoice, order_bread_and_wine


@pytest.fixture
def world(db):
    return make_world()


def _reminders():
    return db.session.scalars(select(Notification).where(Notification.kind == "invoice_reminder")).all()


def test_a_resident_the_coordinator_has_not_allowed_cannot_pay_by_invoice_and_nothing_is_taken(world, now):
    before = stocks(world.bread, world.wine)
    with pytest.raises(PaymentMethodUnavailable):
        order_bread_and_wine(world, now, method="invoice")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0 and stocks(world.bread, world.wine) == before


def test_an_allowed_resident_pays_by_invoice_confirmed_at_once_and_due_in_14_days(world, now):
    allow_invoice(world.resident, now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    assert order.status == OrderStatus.CONFIRMED
    due = get_invoice_due(order.id)
    assert due.due_at == now + timedelta(days=14) and due.paid_at is None
    assert amount_due_cents(order.id) == order.total_cents == 2 * 450 + 1290
    assert len([i for i in list_order_invoices(order.id) if i.buyer_user_id]) == 2


def test_a_withdrawn_permission_stops_paying_by_invoice(world, now):
    allow_invoice(world.resident, now=now)
    set_billing_profile(resident=world.resident, may_pay_by_invoice=False, organisation=None,
                        buyer_reference=None, actor=None, now=now)
    db.session.commit()
    with pytest.raises(PaymentMethodUnavailable):
        order_bread_and_wine(world, now, method="invoice")


def test_an_overdue_invoice_is_reminded_once_by_the_job_in_the_residents_language(world, now):
    allow_invoice(world.resident, now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    assert remind_overdue_invoices(now=now + timedelta(days=13)) == 0
    later = now + timedelta(days=14, hours=1)
    assert JOBS["remind_overdue_invoices"].run(later) == 1
    db.session.commit()
    assert JOBS["remind_overdue_invoices"].run(later + timedelta(hours=1)) == 0
    [reminder] = _reminders()
    assert reminder.order_id == order.id and reminder.context["amount_cents"] == order.total_cents
    german, english = render("invoice_reminder", reminder.context, "de"), render("invoice_reminder", reminder.context, "en")
    assert order.number in german.subject and "fällig" in german.text
    assert "reminder" in english.subject.lower() and "due" in english.text


def test_a_paid_or_cancelled_invoice_order_is_not_reminded(world, now):
    allow_invoice(world.resident, now=now)
    paid = order_bread_and_wine(world, now, method="invoice")
    cancelled = order_bread_and_wine(world, now, method="invoice")
    coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id)
    mark_invoice_paid(due=get_invoice_due(paid.id), actor=coordinator, now=now)
    cancel_order(order=cancelled, actor=world.resident, now=now)
    db.session.commit()
    assert amount_due_cents(cancelled.id) == 0
    assert remind_overdue_invoices(now=now + timedelta(days=30)) == 0 and _reminders() == []


def test_an_invoice_is_marked_paid_once(world, now):
    allow_invoice(world.resident, now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id)
    due = mark_invoice_paid(due=get_invoice_due(order.id), actor=coordinator, now=now)
    db.session.commit()
    with pytest.raises(AlreadyPaid):
        mark_invoice_paid(due=due, actor=coordinator, now=now + timedelta(hours=1))
    db.session.rollback()
    assert get_invoice_due(order.id).paid_at == now and get_invoice_due(order.id).paid_by_id == coordinator.id
