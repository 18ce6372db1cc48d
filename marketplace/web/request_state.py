"""Per-request caches start empty, also when requests share an outer app context (as in tests)."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import refresh


def init_app(app: Flask) -> None:
    @app.before_request
    def forget_cached_request_state() -> None:
        # Flask-Login and Flask-Babel cache the user and the locale on `g`. A request normally
        # gets a fresh `g`; when an app context is already pushed, Flask reuses it, and a
        # stale user or language would leak from one request into the next.
        g.pop("_login_user", None)
        refresh()
