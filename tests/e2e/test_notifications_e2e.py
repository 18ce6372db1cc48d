"""In a real browser: the demo resident chooses SMS, orders, and the SMS appears at /dev/outbox
once `jobs tick` has run; the printed slip of a notification opens as a page and as a PDF."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_journeys import add_to_basket

pytestmark = pytest.mark.e2e


def test_the_demo_resident_chooses_sms_orders_and_finds_the_sms_in_the_outbox(desktop_page, live_server, app):
    page, base = desktop_page, live_server
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("resident@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Benachrichtigungen").click()

    page.get_by_label("E-Mail", exact=True).uncheck()
    page.get_by_label("SMS aufs Handy").check()
    page.get_by_label("Ausgedruckter Zettel an meiner Verkaufsstelle").check()
    page.get_by_label("Handynummer").fill("0151 23456789")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Gespeichert: So benachrichtigen wir Sie.")).to_be_visible()
    expect(page.get_by_label("Handynummer")).to_have_value("+4915123456789")

    add_to_basket(page, base, "Bauernbrot", "Eifeler Bauernbrot")
    page.goto(f"{base}/kasse")
    page.get_by_label(re.compile("Dorfbüro Monreal")).check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Bestellung!")
    number = page.locator(".order-number").inner_text()
    expect(page.locator(".told")).to_contain_text("per SMS an +4915123456789")

    page.goto(f"{base}/dev/outbox")
    expect(page.locator(".outbox-item", has_text=number).first).to_have_attribute("data-state", "queued")
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    # The order's SMS and slip go with whatever else the demo queued (e.g. the Eifel coordinator's
    # message about the waiting application); the order's own messages are checked below.
    assert result.exit_code == 0 and re.search(r"send_outbox: ran \(\d+\)", result.output), result.output

    page.reload()
    sms = page.locator('.outbox-item[data-channel="sms"]', has_text=number)
    expect(sms).to_have_count(1)
    expect(sms).to_have_attribute("data-state", "sent")
    expect(sms).to_have_attribute("data-kind", "order_confirmed")
    expect(sms).to_contain_text("+4915123456789")
    expect(sms).to_contain_text(f"Landkorb: Bestellung {number} bestätigt")
    items = page.request.get(f"{base}/dev/outbox.json").json()["items"]
    mine = [i for i in items if number in i["text"]]
    assert sorted((i["channel"], i["kind"], i["state"], i["deliveries"]) for i in mine) == [
        ("slip", "order_confirmed", "sent", 1), ("sms", "order_confirmed", "sent", 1),
    ]  # confirmed on placement (pay on pickup): no separate order_placed

    slip = page.locator('.outbox-item[data-channel="slip"]', has_text=number)
    slip.get_by_role("link", name="Zettel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bestellung {number} bestätigt")
    expect(page.locator(".recipient")).to_have_text("Gisela Schmitz")
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
