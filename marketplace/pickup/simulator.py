"""A locker simulator: plays a station's hardware against the device API, signed with its key.

It speaks HTTP to a base URL, or goes through the Flask test client of the running app.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from marketplace.pickup.signature import signed_headers


@dataclass
class Step:
    what: str
    status: int
    body: object


class TestClientTransport:
    def __init__(self, app) -> None:
        self.client = app.test_client()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, object]:
        response = self.client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})
        return response.status_code, response.get_json(silent=True)


class HttpTransport:
    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        import requests

        self.base_url, self.timeout, self.session = base_url.rstrip("/"), timeout, requests.Session()

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, object]:
        response = self.session.post(self.base_url + path, data=body, timeout=self.timeout,
                                     headers={**headers, "Content-Type": "application/json"})
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text


@dataclass
class Locker:
    station_id: int
    key: str
    transport: TestClientTransport | HttpTransport
    clock: Callable[[], datetime]
    steps: list[Step] = field(default_factory=list)

    def send(self, what: str, payload: dict) -> Step:
        path = f"/api/v1/devices/stations/{self.station_id}/{what}"
        body = json.dumps(payload).encode()
        headers = signed_headers(self.key, self.station_id, "POST", path, body, now=self.clock())
        status, answer = self.transport.post(path, body, headers)
        step = Step(what, status, answer)
        self.steps.append(step)
        return step

    def pickup(self, code: str) -> Step:
        """A resident types a code; the doors it opens are opened and closed again."""
        step = self.send("pickups", {"code": code})
        if step.status == 200:
            for label in step.body.get("compartments", []):
                self.door(label)
        return step

    def door(self, label: str, *, open_seconds: int = 20) -> Step:
        closed = self.clock()
        opened = closed - timedelta(seconds=open_seconds)
        return self.send("events", {"events": [
            {"kind": "door_opened", "compartment": label, "at": opened.isoformat()},
            {"kind": "door_closed", "compartment": label, "at": closed.isoformat()},
        ]})

    def temperatures(self, label: str, values: list[float], *, every_seconds: int = 60) -> Step:
        """A series of readings, the last one now, `every_seconds` apart."""
        last = self.clock()
        count = len(values)
        return self.send("events", {"events": [
            {"kind": "temperature", "compartment": label, "value": value,
             "at": (last - timedelta(seconds=every_seconds * (count - 1 - i))).isoformat()}
            for i, value in enumerate(values)
        ]})

    def fault(self, label: str, code: str | None = None) -> Step:
        return self.send("events", {"events": [
            {"kind": "fault", "compartment": label, "at": self.clock().isoformat(), "value": code},
        ]})
