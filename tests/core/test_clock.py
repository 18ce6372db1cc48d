"""The one clock: LANDKORB_CLOCK pins "now" for web, API, CLI and jobs in development and testing."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import ConfigurationError
from marketplace import create_app
from marketplace.core.clock import parse_instant, utcnow

ROOT = Path(__file__).resolve().parents[2]


def test_parse_instant_needs_an_offset_and_gives_utc():
    assert parse_instant("2026-03-02T10:00:00+01:00") == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert parse_instant("2026-03-02T09:00:00Z") == datetime(2026, 3, 2, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_instant("2026-03-02T09:00:00")
    with pytest.raises(ValueError):
        parse_instant("next tuesday")


def test_a_pinned_clock_is_now_inside_the_app_and_only_there():
    app = create_app("testing", LANDKORB_CLOCK="2031-05-06T07:08:09+02:00")
    with app.app_context():
        assert utcnow() == datetime(2031, 5, 6, 5, 8, 9, tzinfo=UTC)
    assert utcnow().year != 2031  # outside any app: the system time


def test_the_clock_refuses_production_and_malformed_values():
    with pytest.raises(ConfigurationError, match="LANDKORB_CLOCK"):
        create_app("production", SECRET_KEY="x" * 32, LANDKORB_CLOCK="2031-05-06T07:08:09Z")
    with pytest.raises(ConfigurationError, match="ISO 8601"):
        create_app("testing", LANDKORB_CLOCK="2031-05-06 07:08")


def test_the_environment_variable_pins_the_cli_too():
    # `flask --app wsgi …` reads LANDKORB_CLOCK from the environment like every other setting.
    env = {**os.environ, "LANDKORB_ENV": "testing", "LANDKORB_CLOCK": "2031-05-06T07:08:09Z",
           "DATABASE_URL": "sqlite://"}
    script = ("from marketplace import create_app\nfrom marketplace.core.clock import utcnow\n"
              "app = create_app()\nwith app.app_context(): print(utcnow().isoformat())")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "2031-05-06T07:08:09+00:00"
