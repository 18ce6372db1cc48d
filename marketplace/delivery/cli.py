"""`flask tours plan|publish --date YYYY-MM-DD [--sub-region SLUG]`: plans and stores, or publishes, a day's tours.

`tours plan … --json` prints the stored plan of the day as one JSON document.
"""
from __future__ import annotations

import json
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.accounts.services import get_user_by_email
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.delivery.day_plan import get_day_plan, list_day_sub_regions
from marketplace.delivery.models import Tour, TourStatus, Vehicle
from marketplace.delivery.services import (
    assign_tour,
    create_plan_run,
    finish_plan_run,
    plan_day,
    publish_tours,
    start_plan_run,
)
from marketplace.extensions import db
from marketplace.regions.models import SubRegion

tours_cli = AppGroup("tours", help="Delivery tours: plan, publish and assign a delivery day per sub-region.")


def _day(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if value is None or not value > 0:
        raise click.BadParameter(f"must be a positive number of seconds, got {value:g}")
    return value


def _sub_region(slug: str | None) -> SubRegion | None:
    """The sub-region of `--sub-region`, None without the option; an unknown slug is a usage error."""
    if slug is None:
        return None
    sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
    if sub_region is None:
        known = ", ".join(db.session.scalars(select(SubRegion.slug).order_by(SubRegion.slug)))
        raise click.BadParameter(f"no sub-region {slug!r}; known: {known or 'none'}",
                                 param_hint="--sub-region")
    return sub_region


@tours_cli.command("plan")
@click.option("--date", "day", required=True, callback=_day, help="Delivery day, YYYY-MM-DD.")
@click.option("--sub-region", "slug", default=None, help="Only this sub-region (its slug).")
@click.option("--seconds", type=float, default=5.0, show_default=True, callback=_seconds,
              help="Solver time limit per problem, in seconds (> 0).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the stored plan of the day as one JSON document (the summary goes to stderr).")
def plan_command(day: date, slug: str | None, seconds: float, as_json: bool) -> None:
    """Plan and store the tours of a delivery day; published tours stay as they are."""
    sub_region = _sub_region(slug)
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
    _echo_summary(day, summary, run, err=as_json)
    if as_json:
        sub_regions = [sub_region] if sub_region is not None else list_day_sub_regions(day)
        click.echo(json.dumps(get_day_plan(day, sub_regions), ensure_ascii=False))


def _echo_summary(day: date, summary: dict, run, *, err: bool) -> None:
    def echo(text: str) -> None:
        click.echo(text, err=err)

    if not [k for k in summary if k != "grouping"]:
        echo(f"{day}: no confirmed orders to plan")
        return
    for key, figures in summary.items():
        if key == "grouping":
            continue
        echo(f"{figures['name']}: {figures['tours']} tours (+{figures['collection_tours']} collection), "
             f"{figures['km']:.1f} km, "
             f"{figures['hours']:.1f} h, {figures['unserved']} unserved")
        for entry in run.unserved:
            if str(entry["sub_region_id"]) == key:
                orders = f" (orders {', '.join(entry['orders'])})" if entry["orders"] else ""
                echo(f"  unserved {entry['label']}: {entry['reason']}{orders}")
    if run.grouping_km is not None:
        echo(f"grouping cost: {run.grouping_km:+.1f} km, {run.grouping_hours:+.1f} h "
             f"({run.km_with_borders:.1f} km with borders, {run.km_without_borders:.1f} km without)")


@tours_cli.command("publish")
@click.option("--date", "day", required=True, callback=_day, help="Delivery day, YYYY-MM-DD.")
@click.option("--sub-region", "slug", default=None, help="Only this sub-region (its slug).")
def publish_command(day: date, slug: str | None) -> None:
    """Publish the planned tours of a delivery day, as the coordinator's button does."""
    only = _sub_region(slug)
    if only is not None:
        sub_regions = [only]
    else:
        sub_regions = db.session.scalars(
            select(SubRegion).where(SubRegion.id.in_(
                select(Tour.sub_region_id).where(Tour.delivery_date == day, Tour.status == TourStatus.PLANNED)
            )).order_by(SubRegion.slug)
        ).all()
    if not sub_regions:
        raise click.ClickException(f"{day}: no planned tours to publish")
    now = utcnow()
    published = {}
    try:
        for sub_region in sub_regions:
            published[sub_region.name] = publish_tours(day=day, sub_region=sub_region, now=now)
    except DomainError:
        db.session.rollback()
        raise click.ClickException(f"{day}, {sub_region.name}: no planned tours to publish") from None
    db.session.commit()
    for name, count in published.items():
        click.echo(f"{name}: published {count} tours of {day}")


@tours_cli.command("assign")
@click.option("--tour", "tour_id", type=int, required=True, help="Tour id (any trip of the vehicle that day).")
@click.option("--driver", "email", required=True, help="The driver's e-mail address.")
@click.option("--vehicle", "vehicle_id", type=int, default=None, help="Swap to this vehicle (its id).")
def assign_command(tour_id: int, email: str, vehicle_id: int | None) -> None:
    """Assign a driver (and optionally another vehicle) to a tour, as the coordinator's form does."""
    tour = db.session.get(Tour, tour_id)
    if tour is None:
        raise click.ClickException(f"no tour {tour_id}")
    driver = get_user_by_email(email)
    if driver is None:
        raise click.ClickException(f"no user with the e-mail address {email!r}")
    vehicle = None
    if vehicle_id is not None:
        vehicle = db.session.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise click.ClickException(f"no vehicle {vehicle_id}")
    try:
        trips = assign_tour(tour, driver=driver, vehicle=vehicle)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.code}: {error}") from None
    db.session.commit()
    click.echo(f"tour {tour.id} ({len(trips)} trips, {tour.vehicle.name}, {tour.delivery_date}): {driver.email}")
