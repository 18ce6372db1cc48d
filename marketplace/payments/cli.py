"""`flask payments reconcile --since 72h`, `flask payments methods SUB_REGION [--on M] [--off M]`
(the same service as the set-up page: `payments/sub_region_methods.py`, logged)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.models import PaymentMethod
from marketplace.payments.reconcile import reconcile
from marketplace.payments.sub_region_methods import set_payment_methods
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


@dataclass(frozen=True)
class CommandLine:
    """Who made a change at the shell, for the set-up log: no account, the command's name."""

    id: None = None
    name: str = "flask payments methods"


@payments_cli.command("methods")
@click.argument("sub_region")
@click.option("--on", "on", multiple=True, type=click.Choice([m.value for m in PaymentMethod]))
@click.option("--off", "off", multiple=True, type=click.Choice([m.value for m in PaymentMethod]))
def methods_command(sub_region: str, on: tuple[str, ...], off: tuple[str, ...]) -> None:
    """Switch payment methods on or off for a sub-region (by slug) and list what it offers."""
    region = db.session.scalars(select(SubRegion).where(SubRegion.slug == sub_region)).first()
    if region is None:
        raise click.BadParameter(f"no sub-region {sub_region!r}", param_hint="SUB_REGION")
    if set(on) & set(off):
        raise click.UsageError(f"both on and off: {', '.join(sorted(set(on) & set(off)))}")
    changes = {**{m: True for m in on}, **{m: False for m in off}}
    try:
        states = set_payment_methods(sub_region=region, changes=changes, actor=CommandLine(), now=utcnow())
    except DomainError as error:
        db.session.rollback()
        raise click.UsageError(f"{error.code}: {error.detail % error.params if error.params else error.detail}") from None
    db.session.commit()
    for state in states:
        shown = "on" if state.is_enabled else "off"
        click.echo(f"{state.method.value}\t{shown}{'' if state.is_configured else ' (not configured)'}")
