"""The running application's pinned clock (`LANDKORB_CLOCK`), as `core.clock.utcnow()` reads it."""
from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_app_context

from marketplace.core.clock import install_clock_source


def pinned_now() -> datetime | None:
    """LANDKORB_CLOCK of the current app: a fixed aware datetime, or a callable giving one (tests)."""
    if not has_app_context():
        return None
    pinned = current_app.config.get("LANDKORB_CLOCK")
    return pinned() if callable(pinned) else pinned


def init_app(app: Flask) -> None:
    # One source for every app of the process: it reads the config of whichever app is current.
    install_clock_source(pinned_now)
