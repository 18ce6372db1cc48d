"""`flask tours plan --date YYYY-MM-DD [--sub-region SLUG] [--seconds S]`: plans and stores a day's tours."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.delivery.services import create_plan_run, finish_plan_run, plan_day, start_plan_run
from marketplace.extensions import db
from marketplace.regions.models import SubRegion

tours_cli = AppGroup("tours", help="Delivery tours: plan a delivery day per sub-region.")


def _day(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is None or not value > 0:
        raise click.BadParameter(f"must be a positive number of seconds, got {value:g}")
    return value


@tours_cli.command("plan")
@click.option("--date", "day", required=True, callback=_day, help="Delivery day, YYYY-MM-DD.")
@click.option("--sub-region", "slug", default=None, help="Only this sub-region (its slug).")
@click.option("--seconds", type=float, default=5.0, show_default=True, callback=_seconds,
              help="Solver time limit per problem, in seconds (> 0).")
def plan_command(day: date, slug: str | None, seconds: float) -> None:
    """Plan and store the tours of a delivery day; published tours stay as they are."""
    sub_region = None
    if slug is not None:
        sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
        if sub_region is None:
            known = ", ".join(db.session.scalars(select(SubRegion.slug).order_by(SubRegion.slug)))
            raise click.BadParameter(f"no sub-region {slug!r}; known: {known or 'none'}",
                                     param_hint="--sub-region")
    now = utcnow()
    try:
        run = create_plan_run(day=day, sub_region=sub_region, seconds=seconds, now=now)
        start_plan_run(run, now=now)
        summary = plan_day(day=day, sub_region=sub_region, seconds=seconds, now=now,
                           osrm_url=current_app.config.get("OSRM_URL"), run=run,
                           workers=current_app.config.get("DELIVERY_SOLVER_WORKERS"))
        finish_plan_run(run, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if not [k for k in summary if k != "grouping"]:
        click.echo(f"{day}: no confirmed orders to plan")
        return
    for key, figures in summary.items():
        if key == "grouping":
            continue
        click.echo(f"{figures['name']}: {figures['tours']} tours (+{figures['collection_tours']} collection), "
                   f"{figures['km']:.1f} km, "
                   f"{figures['hours']:.1f} h, {figures['unserved']} unserved")
        for entry in run.unserved:
            if str(entry["sub_region_id"]) == key:
                orders = f" (orders {', '.join(entry['orders'])})" if entry["orders"] else ""
                click.echo(f"  unserved {entry['label']}: {entry['reason']}{orders}")
    if run.grouping_km is not None:
        click.echo(f"grouping cost: {run.grouping_km:+.1f} km, {run.grouping_hours:+.1f} h "
                   f"({run.km_with_borders:.1f} km with borders, {run.km_without_borders:.1f} km without)")
