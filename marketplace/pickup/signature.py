"""The locker device signature (DESIGN.md): signing, and verifying a request with its nonce.

Verification takes plain values (headers, method, path, raw body, now), so the API, the
simulator and tests share one rule. A refusal raises DeviceRefused and writes nothing.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from marketplace.core.errors import N_, DomainError
from marketplace.extensions import db
from marketplace.pickup.device_keys import get_device_key
from marketplace.pickup.models import DeviceNonce, ParcelStation

STATION = "X-Landkorb-Station"
TIMESTAMP = "X-Landkorb-Timestamp"
NONCE = "X-Landkorb-Nonce"
SIGNATURE = "X-Landkorb-Signature"

MAX_SKEW_S = 300
NONCE_MEMORY = timedelta(minutes=10)

_STATION_ID = re.compile(r"[1-9][0-9]{0,9}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")  # lower case only: upper-case hex never verifies


class DeviceRefused(DomainError):
    status = 401


class BadSignature(DeviceRefused):
    code = "bad_signature"
    message = N_("Die Signatur der Anfrage ist ungültig.")


class StaleRequest(DeviceRefused):
    code = "stale_request"
    message = N_("Die Anfrage ist zu alt oder ihre Uhrzeit weicht zu weit ab.")


class ReplayedNonce(DeviceRefused):
    code = "replayed_nonce"
    message = N_("Diese Anfrage wurde schon einmal gesendet.")


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()


def sign(key: bytes, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(key, string_to_sign(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def signed_headers(key_hex: str, station_id: int, method: str, path: str, body: bytes, *,
                   now: datetime, nonce: str | None = None) -> dict[str, str]:
    """The four headers a locker sends with a request (the simulator and tests use this)."""
    timestamp = str(int(now.timestamp()))
    nonce = nonce or secrets.token_urlsafe(24)
    return {
        STATION: str(station_id), TIMESTAMP: timestamp, NONCE: nonce,
        SIGNATURE: sign(bytes.fromhex(key_hex), method, path, timestamp, nonce, body),
    }


def verify_device_request(*, station_id: int, headers: Mapping[str, str], method: str, path: str,
                          body: bytes, now: datetime) -> ParcelStation:
    """The station of the path, if the request is signed with its key, fresh and not replayed.

    Raises BadSignature, StaleRequest or ReplayedNonce. On success the nonce is recorded
    (flushed, committed with the request's work) and nonces older than 10 minutes are pruned."""
    station_header, timestamp = headers.get(STATION, ""), headers.get(TIMESTAMP, "")
    nonce, signature = headers.get(NONCE, ""), headers.get(SIGNATURE, "")
    if not (_STATION_ID.fullmatch(station_header) and _TIMESTAMP.fullmatch(timestamp)
            and _NONCE.fullmatch(nonce) and _SIGNATURE.fullmatch(signature)):
        raise BadSignature()
    if int(station_header) != station_id:
        raise BadSignature()
    station = db.session.get(ParcelStation, station_id)
    key = get_device_key(station_id) if station is not None else None
    if key is None:
        raise BadSignature()
    expected = sign(key, method, path, timestamp, nonce, body)
    if not hmac.compare_digest(expected, signature):
        raise BadSignature()
    if abs(now.timestamp() - int(timestamp)) > MAX_SKEW_S:
        raise StaleRequest()
    _remember_nonce(station_id, nonce, now)
    return station


def _remember_nonce(station_id: int, nonce: str, now: datetime) -> None:
    db.session.execute(delete(DeviceNonce).where(
        DeviceNonce.station_id == station_id, DeviceNonce.seen_at < now - NONCE_MEMORY
    ))
    seen = select(DeviceNonce.id).where(DeviceNonce.station_id == station_id, DeviceNonce.nonce == nonce)
    if db.session.scalar(seen) is not None:
        raise ReplayedNonce()
    try:
        # A concurrent request with the same nonce: the unique constraint decides.
        with db.session.begin_nested():
            db.session.add(DeviceNonce(station_id=station_id, nonce=nonce, seen_at=now))
    except IntegrityError:
        raise ReplayedNonce() from None
