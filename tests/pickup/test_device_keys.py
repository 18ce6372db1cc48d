"""`flask stations key STATION_ID`: a new 64-hex-digit key, printed once, stored encrypted."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.pickup.device_keys import get_device_key, issue_device_key
from marketplace.pickup.models import StationDeviceKey
from tests import factories as f

HEX64 = re.compile(r"[0-9a-f]{64}")


def test_key_command_prints_a_new_key_once_and_stores_it_encrypted(runner):
    station = f.make_station()
    db.session.commit()
    result = runner.invoke(args=["stations", "key", str(station.id)])
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert HEX64.fullmatch(key)
    stored = db.session.scalars(select(StationDeviceKey)).one()
    assert key not in stored.key_ciphertext and bytes.fromhex(key).hex() not in stored.key_ciphertext
    assert get_device_key(station.id) == bytes.fromhex(key)


def test_a_new_key_invalidates_the_old_one(runner):
    station = f.make_station()
    db.session.commit()
    first = runner.invoke(args=["stations", "key", str(station.id)]).output.strip()
    second = runner.invoke(args=["stations", "key", str(station.id)]).output.strip()
    assert first != second
    assert get_device_key(station.id) == bytes.fromhex(second)
    assert db.session.scalar(select(db.func.count()).select_from(StationDeviceKey)) == 1


def test_unknown_station_is_a_clear_error_with_a_non_zero_exit(runner):
    sales_point = f.make_sales_point()  # a pickup place, but not a parcel station
    db.session.commit()
    for station_id in ("999999", str(sales_point.id)):
        result = runner.invoke(args=["stations", "key", station_id])
        assert result.exit_code != 0
        assert f"no parcel station with id {station_id}" in result.output
    assert db.session.scalars(select(StationDeviceKey)).all() == []


def test_a_key_stored_under_another_secret_key_does_not_decrypt(app, db, now):
    station = f.make_station()
    issue_device_key(station, now=now)
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret-key-entirely"
    try:
        assert get_device_key(station.id) is None
    finally:
        app.config["SECRET_KEY"] = original
    assert get_device_key(station.id) is not None


def test_keys_come_from_secrets(monkeypatch, db, now):
    import marketplace.pickup.device_keys as device_keys

    calls = []
    monkeypatch.setattr(device_keys.secrets, "token_hex", lambda n: calls.append(n) or "ab" * n)
    assert issue_device_key(f.make_station(), now=now) == "ab" * 32
    assert calls == [32]
