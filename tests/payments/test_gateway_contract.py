"""The same contract for both gateways where they overlap: the real `stripe` library against
localstripe, and the in-process fake (which alone models Connect and idempotency keys)."""
from __future__ import annotations

import uuid

import pytest

from marketplace.payments.fake_gateway import DECLINED_CARD, FakeGateway
from marketplace.payments.gateway import GatewayError


class LocalstripeBrowser:
    """What Stripe.js does against localstripe: attach a card, confirm."""

    def __init__(self, gateway) -> None:
        self.client = gateway.client

    def confirm(self, intent_id: str, card: str = "4242424242424242") -> None:
        method = self.client.v1.payment_methods.create(params={
            "type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        })
        self.client.v1.payment_intents.update(intent_id, params={"payment_method": method["id"]})
        try:
            self.client.v1.payment_intents.confirm(intent_id)
        except Exception as error:  # the decline: Stripe answers 402 with a card error
            if "declined" not in str(error):
                raise


@pytest.fixture(params=["fake", "localstripe"])
def pair(request):
    if request.param == "fake":
        gateway = FakeGateway()
        return gateway, gateway
    gateway = request.getfixturevalue("stripe_gateway")
    return gateway, LocalstripeBrowser(gateway)


def _intent(gateway, amount=1234):
    number = f"LK-{uuid.uuid4().hex[:4].upper()}-TEST"
    return gateway.create_intent(amount=amount, currency="eur", transfer_group=number,
                                 metadata={"order_id": "7", "order_number": number},
                                 idempotency_key=f"landkorb-{number}-intent")


def test_a_payment_intent_is_created_with_amount_metadata_and_a_client_secret(pair):
    gateway, _ = pair
    intent = _intent(gateway)
    assert intent.id.startswith("pi_") and intent.client_secret.startswith(intent.id)
    assert (intent.amount, intent.currency, intent.status) == (1234, "eur", "requires_payment_method")
    assert intent.metadata["order_id"] == "7" and intent.metadata["order_number"].startswith("LK-")
    assert gateway.get_intent(intent.id).id == intent.id


def test_a_confirmed_card_payment_succeeds_with_a_charge(pair):
    gateway, browser = pair
    intent = _intent(gateway)
    browser.confirm(intent.id)
    paid = gateway.get_intent(intent.id)
    assert paid.status == "succeeded" and paid.latest_charge.startswith("ch_")
    assert paid.amount_received == 1234
    assert intent.id in {i.id for i in gateway.list_intents(created_after=0)}


def test_a_declined_card_leaves_the_intent_waiting_for_another_method(pair):
    gateway, browser = pair
    intent = _intent(gateway)
    browser.confirm(intent.id, card=DECLINED_CARD)
    assert gateway.get_intent(intent.id).status == "requires_payment_method"


def test_refunds_up_to_the_captured_amount_and_no_further(pair):
    gateway, browser = pair
    intent = _intent(gateway, amount=1000)
    browser.confirm(intent.id)
    first = gateway.refund(intent_id=intent.id, amount=400, metadata={}, idempotency_key=f"{intent.id}-r1")
    assert first.startswith("re_")
    gateway.refund(intent_id=intent.id, amount=600, metadata={}, idempotency_key=f"{intent.id}-r2")
    if isinstance(gateway, FakeGateway):  # localstripe does not guard the sum of refunds
        with pytest.raises(GatewayError):
            gateway.refund(intent_id=intent.id, amount=1, metadata={}, idempotency_key=f"{intent.id}-r3")


def test_a_waiting_intent_is_cancelled(pair):
    gateway, _ = pair
    intent = _intent(gateway)
    assert gateway.cancel_intent(intent.id, idempotency_key=f"{intent.id}-cancel").status == "canceled"


def test_a_succeeded_intent_cannot_be_cancelled(pair):
    gateway, browser = pair
    intent = _intent(gateway)
    browser.confirm(intent.id)
    with pytest.raises(GatewayError):
        gateway.cancel_intent(intent.id, idempotency_key=f"{intent.id}-cancel")


# -- what only the fake models: idempotency keys, Connect, transfers and reversals -----------

def test_the_same_idempotency_key_gives_the_same_object_and_other_parameters_are_refused():
    gateway = FakeGateway()
    first = _intent(gateway)
    again = gateway.create_intent(amount=1234, currency="eur", transfer_group=first.metadata["transfer_group"],
                                  metadata={"order_id": "7", "order_number": first.metadata["order_number"]},
                                  idempotency_key=f"landkorb-{first.metadata['order_number']}-intent")
    assert again.id == first.id and len(gateway.intents) == 1
    with pytest.raises(GatewayError) as refused:
        gateway.create_intent(amount=1, currency="eur", transfer_group="x", metadata={},
                              idempotency_key=f"landkorb-{first.metadata['order_number']}-intent")
    assert refused.value.code == "idempotency_key_in_use"
    gateway.confirm(first.id)
    one = gateway.refund(intent_id=first.id, amount=100, metadata={}, idempotency_key="k")
    assert gateway.refund(intent_id=first.id, amount=100, metadata={}, idempotency_key="k") == one
    assert gateway.refunded(first.id) == 100


def test_connect_transfers_need_a_ready_account_and_reversals_stay_within_the_transfer():
    gateway = FakeGateway()
    intent = _intent(gateway)
    gateway.confirm(intent.id)
    charge = gateway.get_intent(intent.id).latest_charge
    account = gateway.create_account(email="hof@example.org", metadata={}, idempotency_key="acct-1")
    assert gateway.create_account(email="hof@example.org", metadata={}, idempotency_key="acct-1") == account
    assert "connect" in gateway.account_link(account_id=account, refresh_url="http://x/r", return_url="http://x/d")
    with pytest.raises(GatewayError):
        gateway.transfer(amount=500, currency="eur", destination=account, source_transaction=charge,
                         transfer_group="LK", metadata={}, idempotency_key="t-0")
    gateway.complete_onboarding(account)
    transfer = gateway.transfer(amount=500, currency="eur", destination=account, source_transaction=charge,
                                transfer_group="LK", metadata={}, idempotency_key="t-1")
    assert gateway.transfer(amount=500, currency="eur", destination=account, source_transaction=charge,
                            transfer_group="LK", metadata={}, idempotency_key="t-1") == transfer
    assert len(gateway.transfers) == 1 and gateway.transfers[transfer]["source_transaction"] == charge
    gateway.reverse_transfer(transfer, amount=300, idempotency_key="rv-1")
    with pytest.raises(GatewayError):
        gateway.reverse_transfer(transfer, amount=201, idempotency_key="rv-2")


def test_the_stripe_client_waits_the_configured_seconds_and_a_slow_stripe_is_a_gateway_error(app, monkeypatch):
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from marketplace.payments.gateway import get_gateway, install_gateway

    def timeout_of(gateway) -> float:
        return gateway.client._requestor._client._timeout

    # The app lives for the whole session: its settings come back after the test.
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_landkorb")
    monkeypatch.setitem(app.config, "STRIPE_TIMEOUT_S", 0.2)
    install_gateway(app, None)
    with app.app_context():
        gateway = get_gateway()
    install_gateway(app, None)  # not kept for the tests after this one
    assert timeout_of(gateway) == 0.2
    from marketplace.payments.stripe_gateway import StripeGateway
    assert timeout_of(StripeGateway("sk_test_landkorb")) == 10

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(1)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        slow = StripeGateway("sk_test_landkorb", api_base=f"http://127.0.0.1:{server.server_port}", timeout_s=0.2)
        started = time.monotonic()
        with pytest.raises(GatewayError):
            slow.get_intent("pi_slow")
        assert time.monotonic() - started < 5  # three tries of 0.2 s and the library's short pauses
    finally:
        server.shutdown()
        server.server_close()
    install_gateway(app, None)
