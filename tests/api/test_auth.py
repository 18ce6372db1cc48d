"""Tokens: issued for good credentials, required where it matters, refused when wrong or old."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.extensions import db
from tests.api.conftest import token_for


def test_a_token_is_issued_for_good_credentials_and_opens_the_api(client, world):
    response = client.post("/api/v1/auth/token", json={"email": world.resident.email.upper(), "password": "correct-horse-battery"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    days = client.get("/api/v1/delivery-days", headers={"Authorization": f"Bearer {token}"})
    assert days.status_code == 200


@pytest.mark.parametrize("body", [
    {"email": "nobody@example.org", "password": "correct-horse-battery"},
    {"email": "USER", "password": "wrong"},
])
def test_wrong_credentials_get_401(client, world, body):
    body = {**body, "email": world.resident.email} if body["email"] == "USER" else body
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_credentials"


@pytest.mark.parametrize("body", [{}, {"email": 5, "password": "x"}, {"email": "a@b.c", "password": None}])
def test_malformed_credentials_get_422(client, world, body):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"


def test_a_body_that_is_not_a_json_object_gets_400(client, world):
    for data in ("not json", "[1, 2]"):
        response = client.post("/api/v1/auth/token", data=data, content_type="application/json")
        assert response.status_code == 400 and response.get_json()["error"] == "invalid_json"


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/delivery-days"), ("get", "/api/v1/orders"), ("post", "/api/v1/orders"),
    ("get", "/api/v1/orders/1"), ("post", "/api/v1/orders/1/cancel"), ("patch", "/api/v1/products/1"),
])
def test_an_api_call_without_a_token_gets_401(client, world, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized" and response.get_json()["detail"]


@pytest.mark.parametrize("header", ["Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "token"])
def test_a_bad_token_gets_401_also_where_a_token_is_optional(client, world, header):
    for path in ("/api/v1/orders", "/api/v1/products"):
        response = client.get(path, headers={"Authorization": header})
        assert response.status_code == 401, path


def test_an_expired_token_or_a_changed_password_gets_401(app, client, world, monkeypatch):
    token = token_for(client, world.resident.email)
    headers = {"Authorization": f"Bearer {token}"}
    monkeypatch.setitem(app.config, "API_TOKEN_MAX_AGE_S", -1)
    assert client.get("/api/v1/orders", headers=headers).status_code == 401
    monkeypatch.setitem(app.config, "API_TOKEN_MAX_AGE_S", 3600)
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    world.resident.set_password("a-new-password-123", method="pbkdf2:sha256:1000")
    db.session.commit()
    assert client.get("/api/v1/orders", headers=headers).status_code == 401


def test_a_token_expires_by_the_applications_clock(app, client, world, clock, monkeypatch):
    # The pinned clock stands years away from the machine's: only a token that reads the
    # application's clock, when issued and when checked, expires where the rule says.
    monkeypatch.setitem(app.config, "API_TOKEN_MAX_AGE_S", 3600)
    issued_at = clock.now
    token = token_for(client, world.resident.email)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    clock.now = issued_at + timedelta(seconds=3599)
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    clock.now = issued_at + timedelta(seconds=3601)
    response = client.get("/api/v1/orders", headers=headers)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    fresh = token_for(client, world.resident.email)
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_the_api_needs_no_csrf_token_but_the_session_cookie_does_not_log_in(client, world):
    # Bearer tokens only: a browser session (cookie) is not an API login.
    from tests.conftest import login

    login(client, world.resident.email, "correct-horse-battery")
    assert client.get("/api/v1/orders").status_code == 401


def test_unknown_api_paths_and_methods_answer_with_json_problems(client, world):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "error" in missing.get_json()
    wrong = client.delete("/api/v1/orders")
    assert wrong.status_code == 405 and "error" in wrong.get_json()
