"""`jobs tick`: a due job runs once, whatever the number of ticks; leases, failures, --now."""
from __future__ import annotations

import multiprocessing
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from marketplace.extensions import db as _db
from marketplace.jobs.models import JobState
from marketplace.jobs.registry import Job
from marketplace.jobs.runner import tick
from marketplace.jobs.schedule import DailyAt, Every
from tests.jobs.conftest import Counter


def _state(db, name="count") -> JobState:
    db.session.expire_all()
    return db.session.get(JobState, name)


def test_a_due_job_runs_once_and_is_due_again_after_its_interval(db, now, counted):
    job, counter = counted
    assert [o.result for o in tick(now=now)] == ["ran"]
    assert [o.result for o in tick(now=now)] == ["not_due"]
    assert [o.result for o in tick(now=now + timedelta(minutes=4))] == ["not_due"]
    assert counter.calls == [now]
    state = _state(db)
    assert state.runs == 1 and state.last_started_at == now and state.last_success_at == now
    assert state.next_due_at == now + timedelta(minutes=5) and state.locked_by is None
    assert [o.result for o in tick(now=now + timedelta(minutes=5))] == ["ran"]
    assert len(counter.calls) == 2


def test_a_job_that_is_not_due_is_not_run(db, now, counted):
    job, counter = counted
    db.session.add(JobState(name="count", next_due_at=now + timedelta(seconds=1), failures=0, runs=0,
                            last_result="", last_error=""))
    db.session.commit()
    assert [o.result for o in tick(now=now)] == ["not_due"]
    assert counter.calls == []


def test_now_drives_a_daily_schedule_in_local_time(db, register):
    counter = Counter()
    register(Job("nightly", DailyAt(datetime.strptime("03:00", "%H:%M").time(), "Europe/Berlin"), counter))
    winter = datetime.fromisoformat("2026-03-02T03:00:00+01:00")
    assert tick(now=winter)[0].result == "ran"
    assert _state(db, "nightly").next_due_at == datetime.fromisoformat("2026-03-03T03:00:00+01:00")
    assert tick(now=winter + timedelta(hours=23, minutes=59))[0].result == "not_due"
    assert tick(now=winter + timedelta(days=1))[0].result == "ran"
    # Across the change to summer time, 03:00 in Berlin is 01:00 UTC.
    assert DailyAt(winter.time(), "Europe/Berlin").next_after(
        datetime(2026, 3, 29, 0, 0, tzinfo=UTC)) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert len(counter.calls) == 2


def test_a_job_leased_by_another_tick_is_skipped(db, now, counted):
    job, counter = counted
    db.session.add(JobState(name="count", locked_by="other-host:1", locked_until=now + timedelta(minutes=3),
                            failures=0, runs=0, last_result="", last_error=""))
    db.session.commit()
    outcome = tick(now=now)[0]
    assert (outcome.result, outcome.detail) == ("locked", "other-host:1")
    assert counter.calls == []
    assert _state(db).locked_by == "other-host:1"


def test_a_lease_left_by_a_crashed_tick_is_taken_over_after_it_expires(db, now, counted):
    job, counter = counted
    db.session.add(JobState(name="count", locked_by="crashed:1", locked_until=now + timedelta(minutes=10),
                            failures=0, runs=0, last_result="", last_error=""))
    db.session.commit()
    assert tick(now=now + timedelta(minutes=9, seconds=59))[0].result == "locked"
    assert tick(now=now + timedelta(minutes=10))[0].result == "ran"
    state = _state(db)
    assert counter.calls == [now + timedelta(minutes=10)]
    assert state.locked_by is None and state.locked_until is None and state.runs == 1


def test_a_failing_job_records_its_error_and_the_next_tick_retries(db, now, register):
    attempts = []

    def flaky(moment):
        attempts.append(moment)
        _db.session.add(JobState(name="written-by-the-failing-run", failures=0, runs=0,
                                 last_result="", last_error=""))
        _db.session.flush()
        if len(attempts) < 3:
            raise RuntimeError(f"attempt {len(attempts)} broke")
        return "fine"

    register(Job("flaky", Every(timedelta(hours=1)), flaky))
    first = tick(now=now)[0]
    assert (first.result, first.detail) == ("failed", "RuntimeError: attempt 1 broke")
    state = _state(db, "flaky")
    assert state.failures == 1 and state.last_error == "RuntimeError: attempt 1 broke"
    assert state.next_due_at is None and state.last_success_at is None and state.locked_by is None
    # What the failed run wrote is rolled back with it.
    assert db.session.get(JobState, "written-by-the-failing-run") is None
    assert tick(now=now + timedelta(minutes=1))[0].result == "failed"
    assert _state(db, "flaky").failures == 2
    assert tick(now=now + timedelta(minutes=2))[0].result == "ran"
    state = _state(db, "flaky")
    assert (state.failures, state.last_error, state.last_result, state.runs) == (0, "", "fine", 3)
    assert state.next_due_at == now + timedelta(minutes=2, hours=1)
    assert db.session.get(JobState, "written-by-the-failing-run") is not None


def _slow_counter(counter):
    def run(now):
        time.sleep(0.3)  # long enough that the other tick arrives while this one holds the lease
        return counter(now)
    return run


def test_two_ticks_in_two_threads_run_a_job_once(app, db, now, register):
    # The test database is a file on SQLite (a database of its own on PostgreSQL): each
    # thread has its own application context, Session and connection.
    counter = Counter()
    register(Job("count", Every(timedelta(minutes=5)), _slow_counter(counter)))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def one_tick():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.extend(o.result for o in tick(now=now))
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=one_tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(counter.calls) == 1
    assert sorted(results) in (["locked", "ran"], ["not_due", "ran"])
    assert _state(db).runs == 1


def _tick_in_a_process(url, barrier, calls, results):
    from marketplace import create_app
    from marketplace.jobs.registry import JOBS

    def count(now):
        time.sleep(0.3)
        with calls.get_lock():
            calls.value += 1
        return calls.value

    job = Job("count", Every(timedelta(minutes=5)), count)
    JOBS.clear()
    JOBS[job.name] = job
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        barrier.wait(timeout=30)
        results.put([o.result for o in tick(now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))])
        _db.engine.dispose()


@pytest.mark.postgresql
def test_two_tick_processes_on_postgresql_run_a_job_once(app, db, database_url):
    context = multiprocessing.get_context("spawn")
    barrier, calls, results = context.Barrier(2), context.Value("i", 0), context.Queue()
    processes = [context.Process(target=_tick_in_a_process, args=(database_url, barrier, calls, results))
                 for _ in range(2)]
    for process in processes:
        process.start()
    outcomes = sorted(sum((results.get(timeout=60) for _ in processes), []))
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0, 0]
    assert calls.value == 1
    assert outcomes in (["locked", "ran"], ["not_due", "ran"])
    assert _state(db).runs == 1
