"""Payments fixtures: localstripe in a subprocess (session), the fake gateway, signed webhooks."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marketplace.payments.fake_gateway import FakeGateway, sign
from marketplace.payments.gateway import install_gateway

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "whsec_test_landkorb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.payments.localstripe_server", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=5)


@pytest.fixture
def stripe_gateway(localstripe_url):
    from marketplace.payments.stripe_gateway import StripeGateway

    return StripeGateway("sk_test_landkorb", api_base=localstripe_url)


@pytest.fixture
def fake(app):
    gateway = FakeGateway()
    install_gateway(app, gateway)
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    yield gateway
    install_gateway(app, None)
    app.config["STRIPE_WEBHOOK_SECRET"] = None


def post_event(client, payload: bytes, signature: str | None):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return client.post("/payments/stripe/webhook", data=payload, headers=headers)


def signed(body: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, str]:
    payload = json.dumps(body).encode()
    return payload, sign(payload, secret, timestamp)




from tests.api.conftest import auth, clock, world  # noqa: E402,F401  (the API's fixtures)
