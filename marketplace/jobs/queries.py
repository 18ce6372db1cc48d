"""Reading the jobs' state for `jobs list` and the admin page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.jobs.models import JobState
from marketplace.jobs.registry import JOBS, Job


@dataclass(frozen=True)
class JobView:
    job: Job
    state: JobState | None
    # "running" (leased by a tick or waiting on RQ), "failed", "ok" or "never run"
    status: str
    next_run: datetime | None


def list_jobs(now: datetime) -> list[JobView]:
    """Every registered job with its state; `next_run` None means at the next tick."""
    states = {s.name: s for s in db.session.scalars(select(JobState).where(JobState.name.in_(JOBS)))}
    views = []
    for name in sorted(JOBS):
        state = states.get(name)
        if state is None or state.runs == 0 and not state.is_locked(now):
            status = "never run"
        elif state.is_locked(now):
            status = "running"
        elif state.failures:
            status = "failed"
        else:
            status = "ok"
        next_run = state.next_due_at if state is not None and state.next_due_at and state.next_due_at > now else None
        views.append(JobView(JOBS[name], state, status, next_run))
    return views
