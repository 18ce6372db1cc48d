"""A planning run's lifecycle: each step starts from the state it names, or is refused."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.delivery.models import PlanRunStatus
from marketplace.delivery.services import (
    PlanRunStateWrong,
    create_plan_run,
    fail_abandoned_plan_runs,
    fail_plan_run,
    finish_plan_run,
    report_plan_progress,
    start_plan_run,
)
from tests.delivery.day_factories import DAY, make_small_day


@pytest.fixture
def run(db, now):
    day = make_small_day()
    return create_plan_run(day=DAY, sub_region=day.sub_region, seconds=1, now=now)


def test_a_run_goes_queued_running_done(run, now):
    assert (run.status, run.progress) == (PlanRunStatus.QUEUED, 0)
    start_plan_run(run, now=now)
    assert (run.status, run.progress, run.started_at) == (PlanRunStatus.RUNNING, 1, now)
    report_plan_progress(run, percent=40, message="solving")
    report_plan_progress(run, percent=30, message="still solving")  # never backwards
    assert (run.progress, run.message) == (40, "still solving")
    report_plan_progress(run, percent=100, message="almost")
    assert run.progress == 99  # 100 only when done
    finish_plan_run(run, now=now + timedelta(seconds=5))
    assert (run.status, run.progress, run.finished_at, run.message) == (
        PlanRunStatus.DONE, 100, now + timedelta(seconds=5), "")
    assert run.is_finished


@pytest.mark.parametrize("started", [False, True])
def test_a_queued_or_running_run_can_fail_with_its_error(run, now, started):
    if started:
        start_plan_run(run, now=now)
    fail_plan_run(run, error="RuntimeError: " + "x" * 2000, now=now)
    assert run.status == PlanRunStatus.FAILED and run.finished_at == now
    assert run.message.startswith("RuntimeError: x") and len(run.message) == 1000


def test_wrong_steps_are_refused_and_change_nothing(run, now):
    with pytest.raises(PlanRunStateWrong):
        finish_plan_run(run, now=now)  # queued, not running
    with pytest.raises(PlanRunStateWrong):
        report_plan_progress(run, percent=50, message="")
    assert (run.status, run.progress) == (PlanRunStatus.QUEUED, 0)
    start_plan_run(run, now=now)
    with pytest.raises(PlanRunStateWrong):
        start_plan_run(run, now=now)
    finish_plan_run(run, now=now)
    for step in (lambda: start_plan_run(run, now=now), lambda: finish_plan_run(run, now=now),
                 lambda: fail_plan_run(run, error="late", now=now),
                 lambda: report_plan_progress(run, percent=10, message="")):
        with pytest.raises(PlanRunStateWrong) as refused:
            step()
        assert refused.value.status == 409 and refused.value.code == "plan_run_state"
    assert (run.status, run.progress, run.message) == (PlanRunStatus.DONE, 100, "")


def test_a_failed_run_stays_failed(run, now):
    fail_plan_run(run, error="boom", now=now)
    with pytest.raises(PlanRunStateWrong):
        start_plan_run(run, now=now)
    assert run.status == PlanRunStatus.FAILED and run.message == "boom"


def test_runs_that_nobody_finished_within_an_hour_are_marked_failed(db, now):
    day = make_small_day()
    lost = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=1, now=now - timedelta(hours=2))
    start_plan_run(lost, now=now - timedelta(hours=2))
    done = create_plan_run(day=DAY, sub_region=None, seconds=1, now=now - timedelta(hours=3))
    start_plan_run(done, now=now)
    finish_plan_run(done, now=now)
    recent = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=1, now=now - timedelta(minutes=59))
    assert fail_abandoned_plan_runs(now=now) == 1
    assert lost.status == PlanRunStatus.FAILED and lost.message.startswith("abandoned")
    assert (done.status, recent.status) == (PlanRunStatus.DONE, PlanRunStatus.QUEUED)
    assert fail_abandoned_plan_runs(now=now) == 0
