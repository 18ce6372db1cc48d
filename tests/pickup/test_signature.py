"""The locker device signature as DESIGN.md defines it, verified by the service with plain values."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.pickup.device_keys import issue_device_key
from marketplace.pickup.models import DeviceNonce
from marketplace.pickup.signature import (
    BadSignature,
    ReplayedNonce,
    StaleRequest,
    sign,
    signed_headers,
    verify_device_request,
)
from tests import factories as f

PATH = "/api/v1/devices/stations/{}/pickups"
BODY = b'{"code": "12345678"}'


@pytest.fixture
def station_key(db, now):
    station = f.make_station()
    key = issue_device_key(station, now=now)
    db.session.commit()
    return station, key


def _verify(station, headers, now, *, body=BODY, method="POST", path=None):
    return verify_device_request(
        station_id=station.id, headers=headers, method=method,
        path=path or PATH.format(station.id), body=body, now=now,
    )


def _nonces() -> int:
    return db.session.scalar(select(func.count()).select_from(DeviceNonce))


def test_the_signature_is_hmac_sha256_over_the_five_lines_exactly(now):
    key = bytes(range(32))
    body_digest = hashlib.sha256(BODY).hexdigest()
    message = f"POST\n/api/v1/devices/stations/7/pickups\n1700000000\nabcdefghijklmnop\n{body_digest}"
    expected = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    assert sign(key, "POST", "/api/v1/devices/stations/7/pickups", "1700000000", "abcdefghijklmnop", BODY) == expected
    empty = hashlib.sha256(b"").hexdigest()
    assert sign(key, "get", "/p", "1", "n" * 16, b"") == hmac.new(
        key, f"GET\n/p\n1\n{'n' * 16}\n{empty}".encode(), hashlib.sha256).hexdigest()


def test_a_correctly_signed_request_names_its_station_and_records_the_nonce(station_key, now):
    station, key = station_key
    headers = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now)
    assert _verify(station, headers, now) is station
    assert _nonces() == 1


def test_a_request_older_or_newer_than_300_seconds_is_stale(station_key, now):
    station, key = station_key
    for skew in (301, -301):
        headers = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY,
                                 now=now + timedelta(seconds=skew))
        with pytest.raises(StaleRequest):
            _verify(station, headers, now)
    edge = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now - timedelta(seconds=300))
    assert _verify(station, edge, now) is station
    assert _nonces() == 1


def test_a_nonce_seen_within_ten_minutes_is_a_replay_and_is_forgotten_after(station_key, now):
    station, key = station_key
    headers = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now, nonce="n" * 20)
    _verify(station, headers, now)
    with pytest.raises(ReplayedNonce):
        _verify(station, headers, now + timedelta(seconds=60))
    later = now + timedelta(minutes=11)
    again = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=later, nonce="n" * 20)
    assert _verify(station, again, later) is station  # the old nonce was pruned
    assert _nonces() == 1


def test_the_same_nonce_at_another_station_is_no_replay(station_key, now):
    station, key = station_key
    other = f.make_station()
    other_key = issue_device_key(other, now=now)
    _verify(station, signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now, nonce="x" * 16), now)
    headers = signed_headers(other_key, other.id, "POST", PATH.format(other.id), BODY, now=now, nonce="x" * 16)
    assert _verify(other, headers, now) is other


@pytest.mark.parametrize("tamper", [
    "body", "method", "path", "upper_case", "other_key", "wrong_station_header", "no_key",
    "missing_station", "missing_timestamp", "missing_nonce", "missing_signature",
    "short_nonce", "long_nonce", "nonce_chars", "timestamp_letters", "signature_short",
])
def test_every_tampered_or_malformed_request_is_a_bad_signature_and_records_nothing(station_key, now, tamper):
    station, key = station_key
    other = f.make_station()
    other_key = issue_device_key(other, now=now)
    path = PATH.format(station.id)
    headers = signed_headers(key, station.id, "POST", path, BODY, now=now)
    body, method = BODY, "POST"
    if tamper == "body":
        body = b'{"code": "12345679"}'
    elif tamper == "method":
        method = "PUT"
    elif tamper == "path":
        path = PATH.format(station.id).replace("pickups", "events")
    elif tamper == "upper_case":
        headers["X-Landkorb-Signature"] = headers["X-Landkorb-Signature"].upper()
    elif tamper == "other_key":
        headers = signed_headers(other_key, station.id, "POST", path, BODY, now=now)
    elif tamper == "wrong_station_header":
        headers = signed_headers(other_key, other.id, "POST", path, BODY, now=now)
    elif tamper == "no_key":
        station = f.make_station()
        path = PATH.format(station.id)
        headers = signed_headers(key, station.id, "POST", path, BODY, now=now)
    elif tamper.startswith("missing_"):
        del headers["X-Landkorb-" + tamper.removeprefix("missing_").capitalize()]
    elif tamper == "short_nonce":
        headers = signed_headers(key, station.id, "POST", path, BODY, now=now, nonce="a" * 15)
    elif tamper == "long_nonce":
        headers = signed_headers(key, station.id, "POST", path, BODY, now=now, nonce="a" * 65)
    elif tamper == "nonce_chars":
        headers = signed_headers(key, station.id, "POST", path, BODY, now=now, nonce="abc.def/ghi+jklmno")
    elif tamper == "timestamp_letters":
        headers["X-Landkorb-Timestamp"] = "17000000a0"
    elif tamper == "signature_short":
        headers["X-Landkorb-Signature"] = headers["X-Landkorb-Signature"][:63]
    with pytest.raises(BadSignature):
        verify_device_request(station_id=station.id, headers=headers, method=method, path=path, body=body, now=now)
    assert _nonces() == 0


def test_an_upper_case_signature_of_the_right_key_does_not_verify_either(station_key, now):
    station, key = station_key
    headers = signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now)
    headers["X-Landkorb-Signature"] = headers["X-Landkorb-Signature"].upper()
    with pytest.raises(BadSignature):
        _verify(station, headers, now)


def test_signatures_are_compared_in_constant_time(station_key, now, monkeypatch):
    import marketplace.pickup.signature as signature

    compared = []
    real = hmac.compare_digest
    monkeypatch.setattr(signature.hmac, "compare_digest", lambda a, b: compared.append(1) or real(a, b))
    station, key = station_key
    _verify(station, signed_headers(key, station.id, "POST", PATH.format(station.id), BODY, now=now), now)
    assert compared == [1]


def test_a_new_key_makes_requests_signed_with_the_old_one_fail(station_key, now):
    station, old_key = station_key
    issue_device_key(station, now=now)
    with pytest.raises(BadSignature):
        _verify(station, signed_headers(old_key, station.id, "POST", PATH.format(station.id), BODY, now=now), now)
