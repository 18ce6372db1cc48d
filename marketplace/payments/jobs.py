"""The payments' scheduled work, one function `(now) -> result` per job of `jobs/registry.py`."""
from __future__ import annotations

from datetime import datetime, timedelta

from marketplace.payments import refunds
from marketplace.payments.online import expire_due_payments
from marketplace.payments.payouts import pay_out_delivered
from marketplace.payments.reconcile import reconcile


def expire_unpaid_orders(now: datetime) -> int:
    return expire_due_payments(now=now)


def pay_out_producers(now: datetime) -> int:
    return pay_out_delivered(now=now)


def make_owed_refunds(now: datetime) -> int:
    return refunds.make_owed_refunds(now=now)


def reconcile_payments(now: datetime) -> int:
    return len(reconcile(since=timedelta(hours=72), now=now))

