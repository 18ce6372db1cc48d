"""`jobs tick`: run (or enqueue) each job that is due, once, however many ticks run at the same time.

A tick claims a due job with a lease before it runs it: in the database, an `UPDATE` of the
job's row that only matches while the row is due and not leased (one statement, so two ticks
cannot both match, on SQLite as on PostgreSQL); with Redis, first a `SET NX PX` key. A tick
that finds a job leased by another skips it. The lease runs out after `Job.lease`, so a job
that a crashed tick left leased is taken over. A job that fails records its error and stays
due: the next tick retries it.
"""
from __future__ import annotations

import logging
import os
import socket
import time as monotonic_time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.jobs.models import JobState
from marketplace.jobs.queue import QUEUE_NAME, in_app_context, redis_connection
from marketplace.jobs.registry import JOBS, Job

log = logging.getLogger(__name__)
RESULT_LENGTH = 500
ERROR_LENGTH = 2000
# Compare-and-delete: only the owner of a Redis lease gives it back.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@dataclass(frozen=True)
class Outcome:
    """What a tick did with one job: ran, failed, queued (on RQ), not_due, or locked (by another)."""

    name: str
    result: str
    detail: str = ""


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisLease:
    """A lease per job as a Redis key `landkorb:job-lease:<name>` holding its owner."""

    def __init__(self, url: str) -> None:
        self.redis = redis_connection(url)

    @staticmethod
    def key(name: str) -> str:
        return f"landkorb:job-lease:{name}"

    def acquire(self, name: str, owner: str, lease: timedelta) -> bool:
        return bool(self.redis.set(self.key(name), owner, nx=True, px=int(lease.total_seconds() * 1000)))

    def release(self, name: str, owner: str) -> None:
        self.redis.eval(_RELEASE, 1, self.key(name), owner)


def ensure_job_states(names: Iterable[str]) -> None:
    """A row per job; a row that a concurrent tick creates first is kept."""
    names = set(names)
    known = set(db.session.scalars(select(JobState.name).where(JobState.name.in_(names))))
    for name in sorted(names - known):
        try:
            with db.session.begin_nested():
                db.session.add(JobState(name=name, failures=0, runs=0, last_result="", last_error=""))
        except IntegrityError:
            pass
    db.session.commit()


def is_due(state: JobState, now: datetime) -> bool:
    return state.next_due_at is None or state.next_due_at <= now


def _state(name: str) -> JobState:
    return db.session.get(JobState, name, populate_existing=True)


def claim(job: Job, *, owner: str, now: datetime) -> bool:
    """Lease the job's row if it is due and nobody holds it; one statement, committed at once."""
    result = db.session.execute(
        update(JobState)
        .where(JobState.name == job.name,
               or_(JobState.locked_until.is_(None), JobState.locked_until <= now),
               or_(JobState.next_due_at.is_(None), JobState.next_due_at <= now))
        .values(locked_by=owner, locked_until=now + job.lease)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _release(name: str, owner: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(JobState).where(JobState.name == name, JobState.locked_by == owner)
        .values(locked_by=None, locked_until=None).execution_options(synchronize_session=False)
    )
    db.session.commit()


def tick(*, now: datetime, jobs: Iterable[Job] | None = None, owner: str | None = None,
         redis_url: str | None = None, queue_name: str = QUEUE_NAME) -> list[Outcome]:
    """Run every due job once in this process, or enqueue it on RQ when `redis_url` is given."""
    jobs = list(JOBS.values() if jobs is None else jobs)
    owner = owner or new_owner()
    ensure_job_states(job.name for job in jobs)
    lease = queue = None
    if redis_url:
        from rq import Queue

        lease = RedisLease(redis_url)
        queue = Queue(queue_name, connection=lease.redis)
    return [_tick_one(job, now=now, owner=owner, lease=lease, queue=queue) for job in jobs]


def _tick_one(job: Job, *, now: datetime, owner: str, lease: RedisLease | None, queue) -> Outcome:
    due = is_due(_state(job.name), now)
    db.session.commit()
    if not due:
        return Outcome(job.name, "not_due")
    if lease is not None and not lease.acquire(job.name, owner, job.lease):
        return Outcome(job.name, "locked")
    if not claim(job, owner=owner, now=now):
        if lease is not None:
            lease.release(job.name, owner)
        state = _state(job.name)
        outcome = (Outcome(job.name, "locked", state.locked_by or "") if state.is_locked(now)
                   else Outcome(job.name, "not_due"))
        db.session.commit()
        return outcome
    if queue is not None:
        try:
            rq_job = queue.enqueue(run_queued_job, job.name, now.isoformat(), owner,
                                   job_timeout=int(job.lease.total_seconds()))
        except Exception:
            # Not queued: give both leases back, so that the next tick tries again at once.
            _release(job.name, owner)
            lease.release(job.name, owner)
            raise
        return Outcome(job.name, "queued", rq_job.id)
    return run_claimed(job, now=now, owner=owner)


@in_app_context
def run_queued_job(name: str, now_iso: str, owner: str) -> str:
    """What the RQ worker calls for a job a tick enqueued; gives the Redis lease back after."""
    try:
        return run_claimed(JOBS[name], now=datetime.fromisoformat(now_iso), owner=owner).result
    finally:
        RedisLease(current_app.config["REDIS_URL"]).release(name, owner)


def run_claimed(job: Job, *, now: datetime, owner: str) -> Outcome:
    """Run a job this owner has leased, record how it went, and give the lease back."""
    state = _state(job.name)
    held_by = state.locked_by
    # The job starts in a transaction of its own; its changes and its record commit together.
    db.session.commit()
    if held_by != owner:
        # Queued longer than its lease: another tick took the job over.
        return Outcome(job.name, "locked", held_by or "")
    started = monotonic_time.monotonic()
    try:
        result = job.run(now)
        db.session.flush()
    except Exception as error:  # any failure of a job is recorded on its row, and retried
        log.exception("job %s failed", job.name)
        db.session.rollback()
        detail = f"{type(error).__name__}: {error}"
        _record(job, now=now, owner=owner, seconds=monotonic_time.monotonic() - started, error=detail)
        db.session.commit()
        return Outcome(job.name, "failed", detail)
    detail = "" if result is None else str(result)
    _record(job, now=now, owner=owner, seconds=monotonic_time.monotonic() - started, result=detail)
    db.session.commit()
    return Outcome(job.name, "ran", detail)


def _record(job: Job, *, now: datetime, owner: str, seconds: float, result: str = "",
            error: str | None = None) -> None:
    state = _state(job.name)
    state.last_started_at = now
    state.last_finished_at = now + timedelta(seconds=seconds)
    state.runs += 1
    if error is None:
        state.last_success_at = now
        state.next_due_at = job.schedule.next_after(now)
        state.failures, state.last_error, state.last_result = 0, "", result[:RESULT_LENGTH]
    else:
        # next_due_at stays: the job is still due, and the next tick tries again.
        state.failures += 1
        state.last_error = error[:ERROR_LENGTH]
    if state.locked_by == owner:
        state.locked_by = state.locked_until = None
    db.session.flush()
