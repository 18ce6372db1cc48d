"""Tour planning as background work: the coordinator's button queues a PlanRun, this runs it.

It moves the run through the lifecycle of `delivery.services.runs` and commits each step, so
the coordinator's page can show the progress while the solver works.
"""
from __future__ import annotations

import logging

from flask import current_app

from marketplace.core.clock import utcnow
from marketplace.delivery.models import PlanRun
from marketplace.delivery.services import (
    fail_plan_run,
    finish_plan_run,
    plan_day,
    report_plan_progress,
    start_plan_run,
)
from marketplace.extensions import db
from marketplace.jobs.queue import in_app_context, run_in_background

log = logging.getLogger(__name__)
JOB_TIMEOUT_S = 30 * 60


def enqueue_plan_run(run: PlanRun) -> object:
    """Start the run in the background; the caller has committed it. Returns the RQ job or thread."""
    return run_in_background(run_plan_job, run.id, timeout_s=JOB_TIMEOUT_S)


@in_app_context
def run_plan_job(run_id: int) -> None:
    """What the RQ worker (or the thread) calls."""
    execute_plan_run(run_id)


def execute_plan_run(run_id: int) -> None:
    """Plan the run's day, committing progress as it goes; a failure is stored, not raised."""
    run = db.session.get(PlanRun, run_id)
    if run is None or run.is_finished:
        return
    config = current_app.config
    start_plan_run(run, now=utcnow())
    db.session.commit()

    def progress(percent: int, message: str) -> None:
        # The solving phase holds no database state, so committing here is safe.
        report_plan_progress(db.session.get(PlanRun, run_id), percent=percent, message=message)
        db.session.commit()

    try:
        plan_day(day=run.delivery_date, sub_region=run.sub_region, seconds=run.seconds, now=utcnow(),
                 osrm_url=config.get("OSRM_URL"), run=run, progress=progress,
                 workers=config.get("DELIVERY_SOLVER_WORKERS"))
        finish_plan_run(db.session.get(PlanRun, run_id), now=utcnow())
        db.session.commit()
    except Exception as error:  # a failed job must say so on its row, whatever went wrong
        log.exception("planning run %s failed", run_id)
        db.session.rollback()
        fail_plan_run(db.session.get(PlanRun, run_id), error=f"{type(error).__name__}: {error}", now=utcnow())
        db.session.commit()
