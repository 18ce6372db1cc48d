"""Rate limits on login, registration and API tokens, in memory or in Redis.

Each case runs in a fresh interpreter: the limiter is one object shared by every app in a
process, and the suite's own app keeps rate limiting off.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from marketplace import create_app
from marketplace.extensions import db

app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1], RATE_LIMITS=True, WTF_CSRF_ENABLED=False,
                 RATELIMIT_STORAGE_URI=sys.argv[2])
with app.app_context():
    db.create_all()
client = app.test_client()
token_statuses = [
    client.post("/api/v1/auth/token", json={"email": "x@example.org", "password": "nope"}).status_code
    for _ in range(11)
]
last = client.post("/api/v1/auth/token", json={"email": "x@example.org", "password": "nope"})
login_statuses = [client.post("/login", data={"email": "x@example.org"}).status_code for _ in range(21)]
print(json.dumps({"token": token_statuses, "last": last.get_json(), "retry": last.headers.get("Retry-After"),
                  "login": login_statuses}))
"""


def _run(tmp_path, storage: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path}/limits.sqlite", storage],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_limited(outcome: dict) -> None:
    assert outcome["token"][:10] == [401] * 10  # wrong password: refused, but counted
    assert outcome["token"][10] == 429
    assert outcome["last"]["error"] == "too_many_requests"
    assert outcome["retry"] is not None
    assert 429 not in outcome["login"][:20] and outcome["login"][20] == 429


def test_rate_limits_in_memory(tmp_path):
    _assert_limited(_run(tmp_path, "memory://"))


def test_rate_limits_in_redis(tmp_path):
    redis = pytest.importorskip("redis")
    from tests.conftest import redis_test_url

    url = redis_test_url()
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("no Redis at " + url)
    redis.Redis.from_url(url).flushdb()
    _assert_limited(_run(tmp_path, url))


def test_each_app_keeps_its_own_rate_limit_setting(client, db):
    # Creating an app with limits on (production) must not switch them on for the suite's app.
    from marketplace import create_app

    create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")
    for _ in range(15):  # the token endpoint allows 10 a minute where limits are on
        response = client.post("/api/v1/auth/token", json={"email": "a@example.org", "password": "x"})
        assert response.status_code == 401
