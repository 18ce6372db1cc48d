"""Planning as a job (in a thread, and through RQ on a real Redis) and the `tours plan` command."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.delivery.models import PlanRun, PlanRunStatus, Tour, TourStatus
from marketplace.delivery.services import PlanRunBusy, create_plan_run
from marketplace.jobs import planning as jobs
from tests.conftest import redis_test_url
from tests.delivery.day_factories import DAY, east, make_order, make_small_day, make_station_at

REDIS_TEST_URL = redis_test_url()


def _day_with_orders(db):
    day = make_small_day()
    make_order(day, place=make_station_at(day, east(2)))
    make_order(day, door=(None, None))
    db.session.commit()
    return day


def _queued_run(db, day, now):
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    db.session.commit()
    return run.id


def _finished(db, run_id):
    db.session.expire_all()
    return db.session.get(PlanRun, run_id)


def test_job_runs_in_a_thread_without_redis(app, db, now, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    day = _day_with_orders(db)
    run_id = _queued_run(db, day, now)
    thread = jobs.enqueue_plan_run(db.session.get(PlanRun, run_id))
    db.session.commit()  # the test holds no transaction while the thread writes
    thread.join(timeout=60)
    run = _finished(db, run_id)
    assert run.status == PlanRunStatus.DONE and run.progress == 100
    assert run.started_at is not None and run.finished_at is not None
    assert [u["reason"] for u in run.unserved] == ["no_coordinates"]
    assert db.session.scalars(select(Tour)).all()


def test_job_runs_through_rq_on_redis(app, db, now, monkeypatch):
    redis = pytest.importorskip("redis")
    from rq import Queue, SimpleWorker

    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", "landkorb-test")
    try:
        day = _day_with_orders(db)
        run_id = _queued_run(db, day, now)
        job = jobs.enqueue_plan_run(db.session.get(PlanRun, run_id))
        db.session.commit()
        assert _finished(db, run_id).status == PlanRunStatus.QUEUED
        queue = Queue("landkorb-test", connection=connection)
        assert job.id in queue.job_ids
        SimpleWorker([queue], connection=connection).work(burst=True)
        run = _finished(db, run_id)
        assert run.status == PlanRunStatus.DONE, run.message
        assert db.session.scalars(select(Tour)).all()
    finally:
        connection.flushdb()


def test_failed_job_says_so_on_its_row(app, db, now, monkeypatch):
    day = _day_with_orders(db)
    run_id = _queued_run(db, day, now)

    def broken(**kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(jobs, "plan_day", broken)
    jobs.execute_plan_run(run_id)
    run = _finished(db, run_id)
    assert run.status == PlanRunStatus.FAILED and "solver exploded" in run.message


def test_second_run_for_the_same_day_waits_for_the_first(db, now):
    day = _day_with_orders(db)
    _queued_run(db, day, now)
    with pytest.raises(PlanRunBusy):
        create_plan_run(day=DAY, sub_region=day.sub_region, seconds=1, now=now)


def test_cli_plans_and_prints_a_summary(runner, db):
    day = _day_with_orders(db)
    result = runner.invoke(args=["tours", "plan", "--date", DAY.isoformat(), "--sub-region",
                                 day.sub_region.slug, "--seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert f"{day.sub_region.name}: 1 tours" in result.output
    assert "unserved" in result.output and "no_coordinates" in result.output
    assert db.session.scalars(select(Tour)).all()


@pytest.mark.parametrize("args, message", [
    (["--date", "2026-13-01"], "YYYY-MM-DD"),
    (["--date", "morgen"], "YYYY-MM-DD"),
    (["--date", "2026-03-03", "--sub-region", "nirgendwo"], "no sub-region 'nirgendwo'"),
    (["--date", "2026-03-03", "--seconds", "0"], "positive number of seconds"),
    (["--date", "2026-03-03", "--seconds", "-1"], "positive number of seconds"),
    ([], "Missing option '--date'"),
])
def test_cli_refuses_bad_input_clearly(runner, db, args, message):
    result = runner.invoke(args=["tours", "plan", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert db.session.scalars(select(Tour)).all() == []


def test_cli_without_orders_says_so(runner, db):
    result = runner.invoke(args=["tours", "plan", "--date", "2026-03-03", "--seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert "no confirmed orders" in result.output


def test_cli_publishes_the_planned_tours_of_a_day(runner, db):
    day = _day_with_orders(db)
    planned = runner.invoke(args=["tours", "plan", "--date", DAY.isoformat(), "--seconds", "0.2"])
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(args=["tours", "publish", "--date", DAY.isoformat(), "--sub-region", day.sub_region.slug])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    tours = db.session.scalars(select(Tour)).all()
    assert f"{day.sub_region.name}: published {len(tours)} tours of {DAY}" in result.output
    assert len(tours) == 2 and {t.status for t in tours} == {TourStatus.PUBLISHED}  # distribution, collection
    assert all(t.published_at is not None for t in tours)
    # Published already: nothing left to publish, said clearly, non-zero exit.
    again = runner.invoke(args=["tours", "publish", "--date", DAY.isoformat()])
    assert again.exit_code == 1
    assert "no planned tours to publish" in again.output


@pytest.mark.parametrize("args, code, message", [
    (["--date", "2026-03-10"], 1, "2026-03-10: no planned tours to publish"),  # a week after DAY
    (["--date", "2026-03-03", "--sub-region", "nirgendwo"], 2, "no sub-region 'nirgendwo'"),
    (["--date", "3.3.2026"], 2, "YYYY-MM-DD"),
    ([], 2, "Missing option '--date'"),
])
def test_cli_publish_refuses_clearly_and_changes_nothing(runner, db, args, code, message):
    _day_with_orders(db)
    planned = runner.invoke(args=["tours", "plan", "--date", DAY.isoformat(), "--seconds", "0.2"])
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(args=["tours", "publish", *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(Tour))} == {TourStatus.PLANNED}


def test_cli_publish_of_a_sub_region_without_planned_tours_says_so(runner, db):
    day = _day_with_orders(db)
    result = runner.invoke(args=["tours", "publish", "--date", DAY.isoformat(), "--sub-region", day.sub_region.slug])
    assert result.exit_code == 1
    assert f"{DAY}, {day.sub_region.name}: no planned tours to publish" in result.output
