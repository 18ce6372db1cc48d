"""Station device keys: issued once, stored encrypted, read back only to verify signatures."""
from __future__ import annotations

import secrets
from datetime import datetime

from cryptography.fernet import InvalidToken

from marketplace.core.errors import N_, NotFound
from marketplace.extensions import db
from marketplace.pickup.models import ParcelStation, StationDeviceKey
from marketplace.pickup.server_keys import device_key_cipher

KEY_BYTES = 32


class UnknownStation(NotFound):
    code = "unknown_station"
    message = N_("Diese Paketstation gibt es nicht.")


def get_station(station_id: int) -> ParcelStation:
    station = db.session.get(ParcelStation, station_id)
    if station is None:
        raise UnknownStation()
    return station


def issue_device_key(station: ParcelStation, *, now: datetime) -> str:
    """A new key for `station` (64 hex digits, returned once); the old one stops working."""
    key = secrets.token_hex(KEY_BYTES)
    ciphertext = device_key_cipher().encrypt(bytes.fromhex(key)).decode("ascii")
    stored = db.session.get(StationDeviceKey, station.id)
    if stored is None:
        db.session.add(StationDeviceKey(station_id=station.id, key_ciphertext=ciphertext, issued_at=now))
    else:
        stored.key_ciphertext, stored.issued_at = ciphertext, now
    db.session.flush()
    return key


def get_device_key(station_id: int) -> bytes | None:
    """The 32 key bytes of a station, or None when it has none (or SECRET_KEY changed since)."""
    stored = db.session.get(StationDeviceKey, station_id)
    if stored is None:
        return None
    try:
        return device_key_cipher().decrypt(stored.key_ciphertext.encode("ascii"))
    except InvalidToken:
        return None
