"""The scheduled jobs: each a name, a schedule and a function `(now) -> result` that calls services.

Registering more work is one entry in `JOBS` (a function that calls one service, and its
schedule). A job holds no business rule; what it does lives in the service it calls.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from flask import current_app

from marketplace.catalog.unanswered import forget_unanswered_searches
from marketplace.core.maintenance import refresh_planner_statistics
from marketplace.delivery.services import fail_abandoned_plan_runs
from marketplace.extensions import db
from marketplace.jobs.schedule import DailyAt, Every
from marketplace.notifications.sender import send_due
from marketplace.orders.collection import expire_uncollected
from marketplace.orders.idempotency import forget_idempotency_keys
from marketplace.orders.packing import send_cutoff_lists
from marketplace.payments.invoice_method import remind_overdue_invoices
from marketplace.payments.jobs import (
    expire_unpaid_orders,
    make_owed_refunds,
    pay_out_producers,
    reconcile_payments,
)
from marketplace.payments.standing import place_due_standing_orders
from marketplace.pickup.collection import send_pickup_reminders
from marketplace.pickup.events import Limits, check_open_doors
from marketplace.pickup.receipts import remind_unconfirmed_receipts
from marketplace.pickup.temperature_log import thin_readings


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Every | DailyAt
    run: Callable[[datetime], object]
    # How long a tick may hold the job before another takes it over (a crashed tick's lease
    # runs out); with RQ it also covers the time the job waits in the queue.
    lease: timedelta = field(default=timedelta(minutes=10))


def _refresh_planner_statistics(now: datetime) -> str:
    return refresh_planner_statistics(db.session.connection())


def _forget_idempotency_keys(now: datetime) -> int:
    return forget_idempotency_keys(now=now)


def _fail_abandoned_plan_runs(now: datetime) -> int:
    return fail_abandoned_plan_runs(now=now)


def _place_standing_orders(now: datetime) -> int:
    lead = timedelta(minutes=current_app.config.get("STANDING_ORDER_LEAD_MINUTES", 120))
    return place_due_standing_orders(now=now, lead=lead)


# The outbox is sent in batches of `send_due`'s size, up to this many batches a tick (the rest
# waits for the next minute).
OUTBOX_BATCH, OUTBOX_BATCHES = 100, 50


def _send_outbox(now: datetime) -> int:
    sent = 0
    for _ in range(OUTBOX_BATCHES):
        batch = send_due(now=now, limit=OUTBOX_BATCH)
        sent += batch
        if batch < OUTBOX_BATCH:
            break
    return sent


def _send_cutoff_lists(now: datetime) -> int:
    return send_cutoff_lists(now=now)


def _check_open_doors(now: datetime) -> int:
    return len(check_open_doors(now=now, limits=Limits.from_config(current_app.config)))


def _remind_overdue_invoices(now: datetime) -> int:
    return remind_overdue_invoices(now=now)


def _thin_cold_chain_readings(now: datetime) -> int:
    return thin_readings(now=now)


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("send_outbox", Every(timedelta(minutes=1)), _send_outbox),
    Job("refresh_planner_statistics", DailyAt(time(3, 0), "Europe/Berlin"), _refresh_planner_statistics),
    Job("forget_idempotency_keys", Every(timedelta(hours=1)), _forget_idempotency_keys),
    Job("place_standing_orders", Every(timedelta(minutes=5)), _place_standing_orders),
    Job("fail_abandoned_plan_runs", Every(timedelta(minutes=10)), _fail_abandoned_plan_runs),
    Job("send_cutoff_lists", Every(timedelta(minutes=5)), _send_cutoff_lists),
    Job("check_open_doors", Every(timedelta(minutes=1)), _check_open_doors),
    Job("remind_overdue_invoices", Every(timedelta(hours=1)), _remind_overdue_invoices),
    Job("thin_cold_chain_readings", DailyAt(time(3, 30), "Europe/Berlin"), _thin_cold_chain_readings),
    Job("remind_pickups", Every(timedelta(minutes=15)), lambda now: send_pickup_reminders(now=now)),
    Job("expire_pickups", Every(timedelta(minutes=5)), lambda now: expire_uncollected(now=now)),
    Job("remind_unconfirmed_receipts", Every(timedelta(minutes=15)), lambda now: remind_unconfirmed_receipts(now=now)),
    Job("expire_unpaid_orders", Every(timedelta(minutes=1)), expire_unpaid_orders),
    Job("pay_out_producers", Every(timedelta(minutes=15)), pay_out_producers),
    Job("make_owed_refunds", Every(timedelta(minutes=15)), make_owed_refunds),
    Job("reconcile_payments", DailyAt(time(4, 0), "Europe/Berlin"), reconcile_payments),
    Job("forget_unanswered_searches", DailyAt(time(3, 45), "Europe/Berlin"),
        lambda now: forget_unanswered_searches(now=now)),
)}
