"""`flask payments reconcile --since 72h`, `flask payments methods SUB_REGION [--on M] [--off M]`."""
from __future__ import annotations

import re
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.orders.models import PaymentMethod
from marketplace.payments.reconcile import reconcile
from marketplace.payments.services import set_sub_region_method
from marketplace.regions.models import SubRegion

payments_cli = AppGroup("payments", help="Online payments: reconciliation with Stripe, methods per sub-region.")

_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_span(value: str) -> timedelta:
    """"72h", "30m", "3d" → a timedelta."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*([mhd])\s*", value or "")
    if match is None:
        raise ValueError(value)
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _span(ctx, param, value):
    try:
        return parse_span(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a span such as 72h, 30m or 3d") from None


@payments_cli.command("reconcile")
@click.option("--since", default="72h", callback=_span, show_default=True, help="how far back: 72h, 30m, 3d")
def reconcile_command(since: timedelta) -> None:
    """Compare succeeded PaymentIntents with paid orders and transfers with delivered lines."""
    findings = reconcile(since=since, now=utcnow())
    db.session.commit()
    for finding in findings:
        click.echo(f"{finding.kind}\t{finding.order_number or '-'}\t{finding.detail}")
    click.echo(f"{len(findings)} finding(s)")


@payments_cli.command("methods")
@click.argument("sub_region")
@click.option("--on", "on", multiple=True, type=click.Choice([m.value for m in PaymentMethod]))
@click.option("--off", "off", multiple=True, type=click.Choice([m.value for m in PaymentMethod]))
def methods_command(sub_region: str, on: tuple[str, ...], off: tuple[str, ...]) -> None:
    """Switch payment methods on or off for a sub-region (by slug) and list what it offers."""
    region = db.session.scalars(select(SubRegion).where(SubRegion.slug == sub_region)).first()
    if region is None:
        raise click.BadParameter(f"no sub-region {sub_region!r}", param_hint="SUB_REGION")
    for method in on:
        set_sub_region_method(sub_region_id=region.id, method=method, enabled=True)
    for method in off:
        set_sub_region_method(sub_region_id=region.id, method=method, enabled=False)
    db.session.commit()
    from marketplace.payments.providers import switched_off

    off_now = switched_off(region.id)
    for method in PaymentMethod:
        click.echo(f"{method.value}\t{'off' if method in off_now else 'on'}")
