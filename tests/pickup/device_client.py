"""A signed locker request through the Flask test client, as the hardware sends it."""
from __future__ import annotations

import json

from marketplace.pickup.signature import signed_headers


def device_post(client, station_id: int, key: str, what: str, payload, *, now, nonce=None,
                headers: dict | None = None, path_station_id: int | None = None):
    path = f"/api/v1/devices/stations/{path_station_id or station_id}/{what}"
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signed = signed_headers(key, station_id, "POST", path, body, now=now, nonce=nonce)
    return client.post(path, data=body, headers={**signed, "Content-Type": "application/json", **(headers or {})})
