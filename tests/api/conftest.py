"""API fixtures: the app with /api/v1, a pinned clock, a world and a resident's token."""
from __future__ import annotations

import pytest

from tests.conftest import NOW
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(app, monkeypatch):
    clock = Clock(NOW)
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", clock)
    return clock


@pytest.fixture
def world(db, clock):
    return make_world()


def token_for(client, email: str, password: str = TEST_PASSWORD) -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


@pytest.fixture
def auth(client, world):
    return {"Authorization": f"Bearer {token_for(client, world.resident.email)}"}
