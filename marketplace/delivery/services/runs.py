"""A planning run's lifecycle: queued → running (with progress) → done or failed, one step each.

`tours plan` and the background job (`marketplace.jobs.planning`) move a run through the same
steps; each step refuses a run that is not in the state it starts from. They flush, the caller
commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace.delivery.models import PlanRun, PlanRunStatus
from marketplace.delivery.services.errors import PlanRunStateWrong
from marketplace.extensions import db

MESSAGE_LENGTH = 1000
# A run that no worker finished within this time was lost (a web process or worker that died);
# the background job's own time limit is 30 minutes.
ABANDONED_AFTER = timedelta(hours=1)
# Which state each step may start from.
STEP_FROM = {
    "start": {PlanRunStatus.QUEUED},
    "progress": {PlanRunStatus.RUNNING},
    "finish": {PlanRunStatus.RUNNING},
    "fail": {PlanRunStatus.QUEUED, PlanRunStatus.RUNNING},
}


def _require(run: PlanRun, step: str) -> None:
    if run.status not in STEP_FROM[step]:
        raise PlanRunStateWrong(f"plan run {run.id} is {run.status.value}; cannot {step} it")


def start_plan_run(run: PlanRun, *, now: datetime) -> PlanRun:
    _require(run, "start")
    run.status, run.started_at, run.progress, run.message = PlanRunStatus.RUNNING, now, 1, ""
    db.session.flush()
    return run


def report_plan_progress(run: PlanRun, *, percent: int, message: str) -> PlanRun:
    """Progress only moves forward and stays below 100 until the run is done."""
    _require(run, "progress")
    run.progress = max(run.progress, min(99, int(percent)))
    run.message = message[:MESSAGE_LENGTH]
    db.session.flush()
    return run


def finish_plan_run(run: PlanRun, *, now: datetime) -> PlanRun:
    """Done: the tours and the run's summary were stored by `plan_day`."""
    _require(run, "finish")
    run.status, run.progress, run.finished_at, run.message = PlanRunStatus.DONE, 100, now, ""
    db.session.flush()
    return run


def fail_plan_run(run: PlanRun, *, error: str, now: datetime) -> PlanRun:
    _require(run, "fail")
    run.status, run.finished_at, run.message = PlanRunStatus.FAILED, now, error[:MESSAGE_LENGTH]
    db.session.flush()
    return run


def fail_abandoned_plan_runs(*, now: datetime, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Mark runs still queued or running `older_than` after they were created as failed; returns how many."""
    runs = db.session.scalars(select(PlanRun).where(
        PlanRun.status.in_((PlanRunStatus.QUEUED, PlanRunStatus.RUNNING)),
        PlanRun.created_at < now - older_than,
    ).order_by(PlanRun.id)).all()
    for run in runs:
        fail_plan_run(run, error=f"abandoned: not finished {older_than} after it was queued", now=now)
    return len(runs)
