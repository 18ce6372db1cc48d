"""`flask jobs tick|list` on the command line, and with REDIS_URL: Redis leases and the RQ queue."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketplace.jobs.models import JobState
from marketplace.jobs.runner import RedisLease, tick
from tests.conftest import redis_test_url

REDIS_TEST_URL = redis_test_url()
AT = "2026-03-02T10:00:00+01:00"


def test_tick_runs_what_is_due_at_the_time_given(runner, db, counted):
    job, counter = counted
    result = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert result.exit_code == 0, result.output
    assert result.output == "count: ran (1)\n"
    assert counter.calls == [datetime.fromisoformat(AT)]
    later = runner.invoke(args=["jobs", "tick", "--now", "2026-03-02T10:04:00+01:00"])
    assert (later.exit_code, later.output) == (0, "count: not_due\n")


def test_tick_skips_a_job_leased_by_another_and_exits_0(runner, db, counted):
    db.session.add(JobState(name="count", locked_by="other:7", failures=0, runs=0, last_result="",
                            last_error="", locked_until=datetime.fromisoformat(AT) + timedelta(minutes=1)))
    db.session.commit()
    result = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert (result.exit_code, result.output) == (0, "count: locked (other:7)\n")
    assert counted[1].calls == []


def test_tick_exits_1_when_a_job_failed_and_list_shows_the_error(runner, db, register):
    from marketplace.jobs.registry import Job
    from marketplace.jobs.schedule import Every

    def broken(now):
        raise ValueError("no gateway")

    register(Job("broken", Every(timedelta(minutes=1)), broken))
    result = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert result.exit_code == 1 and "broken: failed (ValueError: no gateway)" in result.output
    listing = runner.invoke(args=["jobs", "list", "--now", AT])
    assert listing.exit_code == 0
    assert "broken  [every 1 min]  last run 2026-03-02T09:00:00+00:00  next run due now  failed" in listing.output
    assert "failures 1: ValueError: no gateway" in listing.output


@pytest.mark.parametrize("value", ["2026-03-02T10:00:00", "gestern", "2026-13-02T10:00:00+01:00"])
def test_tick_refuses_a_time_without_offset_or_not_a_time(runner, db, counted, value):
    result = runner.invoke(args=["jobs", "tick", "--now", value])
    assert result.exit_code == 2 and "ISO 8601 time with offset" in result.output
    assert counted[1].calls == [] and db.session.get(JobState, "count") is None


def test_tick_refuses_now_in_production(app, db, counted, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = app.test_cli_runner().invoke(args=["jobs", "tick", "--now", AT])
    assert result.exit_code == 2 and "refused in production" in result.output
    assert counted[1].calls == []


def test_the_registered_jobs_run_on_this_database(runner, db):
    result = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert result.exit_code == 0, result.output
    statement = "PRAGMA optimize" if db.engine.dialect.name == "sqlite" else "ANALYZE"
    assert f"refresh_planner_statistics: ran ({statement})" in result.output
    assert "forget_idempotency_keys: ran (0)" in result.output


def test_worker_without_redis_says_what_it_needs(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1 and "REDIS_URL is not set" in result.output


@pytest.fixture
def redis_queue(app, monkeypatch):
    redis = pytest.importorskip("redis")
    from rq import Queue

    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", "landkorb-test-jobs")
    yield Queue("landkorb-test-jobs", connection=connection)
    connection.flushdb()


def test_with_redis_the_tick_enqueues_and_the_worker_runs_the_job_once(runner, db, counted, redis_queue):
    from rq import SimpleWorker

    first = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert first.exit_code == 0 and first.output.startswith("count: queued (")
    assert counted[1].calls == [] and len(redis_queue.job_ids) == 1
    assert redis_queue.connection.get(RedisLease.key("count")) is not None
    # While the job waits on the queue, its lease keeps other ticks off it.
    second = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert (second.exit_code, second.output) == (0, "count: locked\n")
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    assert counted[1].calls == [datetime.fromisoformat(AT)]
    db.session.expire_all()
    state = db.session.get(JobState, "count")
    assert state.runs == 1 and state.locked_by is None
    assert redis_queue.connection.get(RedisLease.key("count")) is None
    third = runner.invoke(args=["jobs", "tick", "--now", AT])
    assert (third.exit_code, third.output) == (0, "count: not_due\n")


def test_a_redis_lease_has_one_owner_and_runs_out(redis_queue):
    lease = RedisLease(REDIS_TEST_URL)
    assert lease.acquire("count", "a", timedelta(seconds=30))
    assert not lease.acquire("count", "b", timedelta(seconds=30))
    lease.release("count", "b")  # not b's to give back
    assert not lease.acquire("count", "b", timedelta(seconds=30))
    lease.release("count", "a")
    assert lease.acquire("count", "b", timedelta(milliseconds=500))
    # The key runs out by itself: a tick that crashed holding it blocks nobody for long.
    assert 0 < lease.redis.pttl(RedisLease.key("count")) <= 500


def test_a_queued_job_whose_lease_was_taken_over_does_not_run_twice(db, now, counted, redis_queue):
    from rq import SimpleWorker

    assert tick(now=now, redis_url=REDIS_TEST_URL, queue_name="landkorb-test-jobs")[0].result == "queued"
    # No worker came within the lease: the Redis key ran out and a later tick queued it again.
    redis_queue.connection.delete(RedisLease.key("count"))
    later = now + timedelta(minutes=11)
    assert tick(now=later, redis_url=REDIS_TEST_URL, queue_name="landkorb-test-jobs")[0].result == "queued"
    SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
    assert counted[1].calls == [later]


def test_tick_takes_now_from_the_application_clock(app, runner, db, counted, monkeypatch):
    pinned = datetime.fromisoformat("2026-07-01T03:00:00+02:00")
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", pinned)
    result = runner.invoke(args=["jobs", "tick"])
    assert (result.exit_code, result.output) == (0, "count: ran (1)\n")
    assert counted[1].calls == [pinned]
    # --now pins the clock for this tick only.
    runner.invoke(args=["jobs", "tick", "--now", "2026-07-02T03:00:00+02:00"])
    assert app.config["LANDKORB_CLOCK"] == pinned
    assert counted[1].calls[-1] == datetime.fromisoformat("2026-07-02T03:00:00+02:00")


def test_a_job_that_cannot_be_queued_gives_its_leases_back(db, now, counted, redis_queue, monkeypatch):
    from rq import Queue

    def refuse(*args, **kwargs):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(Queue, "enqueue", refuse)
    with pytest.raises(ConnectionError):
        tick(now=now, redis_url=REDIS_TEST_URL, queue_name="landkorb-test-jobs")
    db.session.expire_all()
    assert db.session.get(JobState, "count").locked_by is None
    assert redis_queue.connection.get(RedisLease.key("count")) is None
