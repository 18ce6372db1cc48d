"""Paying in a real browser: pay on pickup at a sales point, none at a parcel station, Stripe in
fake mode (Stripe.js cannot load offline) with the return page waiting for the webhook, invoice
with its due date and invoices, and a method the region admin switched off gone from the checkout."""
from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.test_journeys import add_to_basket
from tests.e2e.test_tours_e2e import log_in
from tests.payments.conftest import WEBHOOK_SECRET, fake  # noqa: F401  (the fake gateway fixture)

pytestmark = pytest.mark.e2e


def _to_checkout(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("resident@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    add_to_basket(page, base, "Möhren", "Möhren")
    page.goto(f"{base}/kasse")


def _order_confirmed(page, place: str, method: str, shown: str) -> None:
    """Order to `place`, paying by `method`: the confirmation says `shown` and "bestätigt"."""
    page.get_by_label(re.compile(place)).check()
    expect(page.locator(f"#pay-{method}")).to_be_enabled()
    page.locator(f"#pay-{method}").check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Bestellung!")
    expect(page.locator(".facts")).to_contain_text(shown)
    expect(page.locator(".facts")).to_contain_text("bestätigt")


def test_pay_on_pickup_at_a_sales_point_and_a_parcel_station_does_not_offer_it(desktop_page, live_server):
    page = desktop_page
    _to_checkout(page, live_server)
    page.get_by_label(re.compile("Paketstation Mayen Marktplatz")).check()
    expect(page.locator("#pay-pay_on_pickup")).to_be_disabled()
    _order_confirmed(page, "Dorfbüro Monreal", "pay_on_pickup", "bei Abholung")


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


def test_an_invoice_checkout_shows_the_due_date_and_opens_the_invoices(desktop_page, live_server):
    # The demo allows every resident to pay by invoice, wherever the goods go (here a parcel station).
    page = desktop_page
    _to_checkout(page, live_server)
    _order_confirmed(page, "Paketstation Mayen Marktplatz", "invoice", "auf Rechnung")
    expect(page.locator("#invoice-due")).to_contain_text(re.compile(r"fällig am \d\d\.\d\d\.\d\d"))
    number = page.locator(".order-number").inner_text()
    page.locator("#invoice-due").get_by_role("link", name="Beleg und Rechnungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Beleg zu Bestellung {number}")
    expect(page.get_by_text(re.compile(r"Zahlung auf Rechnung: .+ fällig am"))).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Rechnung ")).first).to_be_visible()
    expect(page.get_by_role("link", name="Ganzer Beleg als PDF")).to_be_visible()


def test_the_region_admin_switches_off_invoice_and_the_checkout_no_longer_offers_it(desktop_page, live_server, demo):
    from marketplace.accounts.models import User

    page, base = desktop_page, live_server
    sub_region = demo.session.scalars(select(User).where(User.email == "resident@example.org")).one().home_sub_region.name
    demo.session.rollback()  # SQLite: the server's requests must not wait for this transaction
    log_in(page, base, "admin@example.org")
    page.goto(f"{base}/admin/region")
    page.get_by_role("link", name=sub_region, exact=True).click()
    page.get_by_role("link", name="Zahlungsarten wählen").click()
    expect(page.locator("#method-stripe")).to_be_disabled()  # no Stripe keys in the demo
    expect(page.locator("#method-invoice")).to_be_checked()
    page.get_by_label("auf Rechnung").uncheck()
    page.get_by_role("button", name="Zahlungsarten speichern").click()
    expect(page.get_by_text("Die Zahlungsarten sind gespeichert.")).to_be_visible()
    expect(page.locator("#method-invoice")).not_to_be_checked()
    page.get_by_role("button", name="Abmelden").click()

    _to_checkout(page, base)
    expect(page.locator("#pay-pay_on_pickup")).to_be_visible()
    expect(page.locator("#pay-invoice")).to_have_count(0)
