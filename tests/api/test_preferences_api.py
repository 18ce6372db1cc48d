"""GET/PATCH /api/v1/me/preferences: channels, language and phone; bad values 422, nothing changed."""
from __future__ import annotations

import pytest

from marketplace.extensions import db

URL = "/api/v1/me/preferences"


def test_preferences_start_with_email_in_german(client, auth, world):
    response = client.get(URL, headers=auth)
    assert response.status_code == 200
    assert response.get_json() == {"channels": ["email"], "language": "de", "phone": ""}


def test_patch_changes_channels_language_and_phone(client, auth, world):
    response = client.patch(URL, headers=auth, json={
        "channels": ["sms", "slip"], "language": "en", "phone": "0151 2345 6789",
    })
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"channels": ["sms", "slip"], "language": "en", "phone": "+4915123456789"}
    db.session.refresh(world.resident)
    assert (world.resident.notify_channels, world.resident.locale, world.resident.phone) == (
        ["sms", "slip"], "en", "+4915123456789")
    assert client.get(URL, headers=auth).get_json()["channels"] == ["sms", "slip"]


@pytest.mark.parametrize(("body", "error"), [
    ({"channels": ["pigeon"]}, "invalid_preferences"),
    ({"channels": []}, "invalid_preferences"),
    ({"channels": "email"}, "invalid_preferences"),
    ({"language": "fr"}, "invalid_preferences"),
    ({"phone": "not a number"}, "invalid_preferences"),
    ({"phone": 4915123456789}, "invalid_preferences"),
    ({"channels": ["sms"], "phone": "02636 1234"}, "sms_needs_mobile"),
    ({"channels": ["sms"]}, "sms_needs_mobile"),
    ({"colour": "green"}, "invalid_input"),
])
def test_bad_values_get_a_422_problem_and_change_nothing(client, auth, world, body, error):
    response = client.patch(URL, headers=auth, json={"language": "en", **body})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == error and response.get_json()["detail"]
    db.session.refresh(world.resident)
    assert (world.resident.notify_channels, world.resident.locale) == (None, "de")


def test_preferences_need_a_token(client, world):
    assert client.get(URL).status_code == 401
    assert client.patch(URL, json={"language": "en"}).status_code == 401
    assert client.patch(URL, data="nope", headers={"Content-Type": "application/json"}).status_code == 401
