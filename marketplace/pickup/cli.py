"""`flask stations key STATION_ID` and `flask stations simulate STATION_ID --key KEY`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.pickup.device_keys import get_station, issue_device_key

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
