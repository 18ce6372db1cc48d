"""Injected crashes for the kill test: `LANDKORB_CRASH_AT=<point>` ends the process at that point.

Honoured only in the testing configuration; anywhere else `crash_point` does nothing.
"""
from __future__ import annotations

import os

from flask import current_app

POINTS = ("after_reserving", "after_intent", "after_success", "before_commit")


def crash_point(name: str) -> None:
    if os.environ.get("LANDKORB_CRASH_AT") == name and current_app.config.get("ENV_NAME") == "testing":
        os._exit(137)
