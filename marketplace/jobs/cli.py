"""`flask jobs tick [--now ISO]`, `flask jobs list`, `flask jobs worker [--burst]`."""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.core.clock import parse_instant, utcnow
from marketplace.extensions import db
from marketplace.jobs.queries import list_jobs
from marketplace.jobs.queue import queue_name, rq_queue
from marketplace.jobs.runner import tick

jobs_cli = AppGroup("jobs", help="Scheduled work: run what is due (from cron), list jobs, RQ worker.")


def _moment(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    if current_app.config.get("ENV_NAME") == "production":
        raise click.BadParameter("is refused in production; the tick takes the real time there")
    try:
        return parse_instant(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 time with offset, e.g. 2026-03-02T03:00:00+01:00") from None


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "-"


@jobs_cli.command("tick")
@click.option("--now", "moment", callback=_moment, default=None,
              help="Run the tick as if it were this time (ISO 8601 with offset; not in production).")
def tick_command(moment: datetime | None) -> None:
    """Run (or, with REDIS_URL, enqueue) every job that is due, once; for cron every minute.

    "Now" is the application's clock (`LANDKORB_CLOCK` in development and testing), or `--now`.
    """
    config = current_app.config
    pinned = config.get("LANDKORB_CLOCK")
    if moment is not None:
        # The whole tick runs "at" that time, as with LANDKORB_CLOCK: what a job's services
        # read from the clock agrees with the `now` they are given.
        config["LANDKORB_CLOCK"] = moment
    try:
        outcomes = tick(now=utcnow(), redis_url=config.get("REDIS_URL"), queue_name=queue_name(current_app))
    finally:
        config["LANDKORB_CLOCK"] = pinned
    for outcome in outcomes:
        click.echo(f"{outcome.name}: {outcome.result}" + (f" ({outcome.detail})" if outcome.detail else ""))
    if any(o.result == "failed" for o in outcomes):
        # The error is on the job's row; the next tick retries.
        raise SystemExit(1)


@jobs_cli.command("list")
@click.option("--now", "moment", callback=_moment, default=None, help="As if it were this time.")
def list_command(moment: datetime | None) -> None:
    """Each job: schedule, last run, next run, state, failures in a row and the last error."""
    now = moment or utcnow()
    for view in list_jobs(now):
        state = view.state
        last = state.last_started_at if state else None
        line = (f"{view.job.name}  [{view.job.schedule}]  last run {_when(last)}  "
                f"next run {_when(view.next_run) if view.next_run else 'due now'}  {view.status}")
        if state is not None and state.failures:
            line += f"  failures {state.failures}: {state.last_error}"
        click.echo(line)
    db.session.commit()


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """An RQ worker for the queue "landkorb" inside the application (needs REDIS_URL)."""
    from rq import Worker

    queue = rq_queue(current_app)
    if queue is None:
        raise click.ClickException("REDIS_URL is not set; without it, background work runs in process")
    Worker([queue], connection=queue.connection).work(burst=burst)
