"""Planning as a background job: on an RQ queue when REDIS_URL is set, in a thread otherwise.

A worker runs `rq worker landkorb --url $REDIS_URL` and calls `run_plan_job(run_id)`, which
makes its own application context. Progress goes onto the PlanRun row, committed as it moves.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, has_app_context

from marketplace.core.clock import utcnow
from marketplace.delivery.models import PlanRun, PlanRunStatus
from marketplace.delivery.services import plan_day
from marketplace.extensions import db

log = logging.getLogger(__name__)
QUEUE_NAME = "landkorb"
JOB_TIMEOUT_S = 30 * 60


def enqueue_plan_run(run: PlanRun) -> object:
    """Start the run in the background; the caller has committed it. Returns the RQ job or thread."""
    app: Flask = current_app._get_current_object()
    if app.config.get("DELIVERY_JOBS_EAGER"):
        execute_plan_run(run.id)
        return None
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config.get("DELIVERY_QUEUE", QUEUE_NAME), connection=Redis.from_url(url))
        return queue.enqueue(run_plan_job, run.id, job_timeout=JOB_TIMEOUT_S)
    thread = threading.Thread(target=_run_in_thread, args=(app, run.id), name=f"plan-run-{run.id}",
                              daemon=True)
    thread.start()
    return thread


def _run_in_thread(app: Flask, run_id: int) -> None:
    with app.app_context():
        execute_plan_run(run_id)


def run_plan_job(run_id: int) -> None:
    """What the RQ worker calls: runs in the current app context, or builds the app first."""
    if has_app_context():
        execute_plan_run(run_id)
        return
    from marketplace import create_app

    with create_app().app_context():
        execute_plan_run(run_id)


def execute_plan_run(run_id: int) -> None:
    """Plan the run's day, committing progress as it goes; a failure is stored, not raised."""
    run = db.session.get(PlanRun, run_id)
    if run is None or run.is_finished:
        return
    config = current_app.config
    run.status, run.started_at, run.progress, run.message = PlanRunStatus.RUNNING, utcnow(), 1, ""
    db.session.commit()

    def progress(percent: int, message: str) -> None:
        # The solving phase holds no database state, so committing here is safe.
        current = db.session.get(PlanRun, run_id)
        current.progress = max(current.progress, min(99, int(percent)))
        current.message = message
        db.session.commit()

    try:
        plan_day(day=run.delivery_date, sub_region=run.sub_region, seconds=run.seconds, now=utcnow(),
                 osrm_url=config.get("OSRM_URL"), run=run, progress=progress,
                 workers=config.get("DELIVERY_SOLVER_WORKERS"))
        run = db.session.get(PlanRun, run_id)
        run.status, run.progress, run.finished_at, run.message = PlanRunStatus.DONE, 100, utcnow(), ""
        db.session.commit()
    except Exception as error:  # a failed job must say so on its row, whatever went wrong
        log.exception("planning run %s failed", run_id)
        db.session.rollback()
        run = db.session.get(PlanRun, run_id)
        run.status, run.finished_at = PlanRunStatus.FAILED, utcnow()
        run.message = f"{type(error).__name__}: {error}"[:1000]
        db.session.commit()
