"""`flask stations key STATION_ID` and `flask stations simulate STATION_ID --key KEY`."""
from __future__ import annotations

import json
import re

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.pickup.device_keys import get_station, issue_device_key
from marketplace.pickup.simulator import HttpTransport, Locker, TestClientTransport

stations_cli = AppGroup("stations", help="Parcel stations: device keys and a locker simulator.")


@stations_cli.command("key")
@click.argument("station_id", type=int)
def key_command(station_id: int) -> None:
    """Issue a new device key for a station and print it once; the old key stops working."""
    try:
        key = issue_device_key(get_station(station_id), now=utcnow())
    except DomainError:
        db.session.rollback()
        raise click.ClickException(f"no parcel station with id {station_id}") from None
    db.session.commit()
    click.echo(key)


def _key(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", value or ""):
        raise click.BadParameter("a station key is 64 lower-case hex digits (flask stations key)")
    return value


def _series(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, list[float]]]:
    series = []
    for value in values:
        label, _, numbers = value.partition("=")
        try:
            readings = [float(n) for n in numbers.split(",")]
        except ValueError:
            raise click.BadParameter(f"{value!r}: use LABEL=4.5,5.0,5.5") from None
        if not label or not readings:
            raise click.BadParameter(f"{value!r}: use LABEL=4.5,5.0,5.5")
        series.append((label, readings))
    return series


@stations_cli.command("simulate")
@click.argument("station_id", type=int)
@click.option("--key", required=True, callback=_key, help="The station's device key.")
@click.option("--base-url", default=None, help="Send HTTP to this server (e.g. http://127.0.0.1:5000); "
                                               "without it, requests go through this app in process.")
@click.option("--code", "codes", multiple=True, help="A pickup code typed at the keypad; its doors "
                                                     "are opened and closed. Repeatable.")
@click.option("--door", "doors", multiple=True, help="Open and close this compartment's door. Repeatable.")
@click.option("--temperature", "series", multiple=True, callback=_series,
              help="LABEL=4.5,5.0,5.5: readings a minute apart, the last one now. Repeatable.")
@click.option("--fault", "faults", multiple=True, help="Report a fault of this compartment. Repeatable.")
def simulate_command(station_id: int, key: str, base_url: str | None, codes: tuple[str, ...],
                     doors: tuple[str, ...], series: list, faults: tuple[str, ...]) -> None:
    """Play a station's locker against the device API; one JSON line per request.

    Exits with 1 when any request was refused (a status other than 2xx)."""
    transport = HttpTransport(base_url) if base_url else TestClientTransport(current_app)
    locker = Locker(station_id, key, transport, utcnow)
    for code in codes:
        locker.pickup(code)
    for label in doors:
        locker.door(label)
    for label, readings in series:
        locker.temperatures(label, readings)
    for label in faults:
        locker.fault(label)
    for step in locker.steps:
        click.echo(json.dumps({"request": step.what, "status": step.status, "answer": step.body},
                              ensure_ascii=False))
    if not locker.steps:
        raise click.UsageError("nothing to play: give --code, --door, --temperature or --fault")
    if any(not 200 <= step.status < 300 for step in locker.steps):
        raise SystemExit(1)
