"""Paying in a real browser: pay on pickup at a sales point, none at a parcel station, and Stripe
in fake mode (Stripe.js cannot load offline) with the return page waiting for the webhook."""
from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import add_to_basket
from tests.payments.conftest import WEBHOOK_SECRET, fake  # noqa: F401  (the fake gateway fixture)

pytestmark = pytest.mark.e2e


def _to_checkout(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("resident@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    add_to_basket(page, base, "Möhren", "Möhren")
    page.goto(f"{base}/kasse")


def test_pay_on_pickup_at_a_sales_point_and_a_parcel_station_does_not_offer_it(desktop_page, live_server):
    page = desktop_page
    _to_checkout(page, live_server)
    page.get_by_label(re.compile("Paketstation Mayen Marktplatz")).check()
    expect(page.locator("#pay-pay_on_pickup")).to_be_disabled()
    page.get_by_label(re.compile("Dorfbüro Monreal")).check()
    expect(page.locator("#pay-pay_on_pickup")).to_be_enabled()
    page.locator("#pay-pay_on_pickup").check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Bestellung!")
    expect(page.locator(".facts")).to_contain_text("bei Abholung")
    expect(page.locator(".facts")).to_contain_text("bestätigt")


def test_stripe_at_a_parcel_station_waits_for_the_webhook(desktop_page, live_server, fake):  # noqa: F811
    page = desktop_page
    _to_checkout(page, live_server)
    page.get_by_label(re.compile("Paketstation Mayen Marktplatz")).check()
    page.locator("#pay-stripe").check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bezahlen")
    expect(page.locator("#fake-payment")).to_contain_text("Testmodus")
    page.get_by_role("button", name="Jetzt bezahlen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Zahlung")
    expect(page.locator("#payment-state")).to_contain_text("Wir warten auf die Bestätigung von Stripe")
    (intent_id,) = list(fake.intents)
    assert fake.get_intent(intent_id).status == "succeeded"
    payload, signature = fake.event("payment_intent.succeeded", intent_id, WEBHOOK_SECRET)
    request = urllib.request.Request(f"{live_server}/payments/stripe/webhook", data=payload, method="POST",
                                     headers={"Content-Type": "application/json", "Stripe-Signature": signature})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    expect(page.locator("#payment-state")).to_contain_text("Bezahlt. Ihre Bestellung ist bestätigt.", timeout=15_000)
