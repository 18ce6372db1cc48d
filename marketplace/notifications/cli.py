"""`flask notifications send`: sends what is due in the outbox once, with the app's clock."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.core.clock import utcnow
from marketplace.notifications.sender import send_due

notifications_cli = AppGroup("notifications", help="The notification outbox.")


@notifications_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000),
              help="Send at most this many notifications.")
def send_command(limit: int) -> None:
    """Send the due notifications once and exit."""
    sent = send_due(now=utcnow(), limit=limit)
    click.echo(f"{sent} sent")
