"""The second half of the producer's browser journey: the demo resident orders, the producer
sees the day's pick list, prints labels, weighs a variable-weight line, the resident sees the price."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_journeys import add_to_basket


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()


def _sign_out(page):
    page.get_by_role("button", name="Abmelden").click()


def resident_orders_and_producer_weighs(page, base):
    _sign_out(page)
    _sign_in(page, base, "resident@example.org")
    add_to_basket(page, base, "Kürbis", "Kürbis Hokkaido")  # 2 × ca. 1.200 g at 3,50 €
    add_to_basket(page, base, "Möhren", "Möhren")
    page.get_by_role("link", name="Warenkorb").click()
    page.get_by_role("link", name="Zur Kasse").click()
    page.get_by_label(re.compile("Paketstation Mayen Marktplatz")).check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Bestellung!")
    number = page.locator(".order-number").inner_text()
    order_url = page.url.rsplit("/danke", 1)[0]
    _sign_out(page)

    _sign_in(page, base, "producer@example.org")
    page.goto(f"{base}/me/producer")
    page.get_by_role("link", name="Liefertage: Pick- und Packlisten").click()
    page.locator("table a").first.click()
    pick = page.locator("table.pick-list")
    expect(pick.locator("tr", has_text="Kürbis Hokkaido")).to_contain_text("2")
    expect(pick.locator("tr", has_text="Möhren")).to_contain_text("2")
    expect(page.locator(".packing-order", has_text=number)).to_contain_text("Gisela Schmitz")
    expect(page.get_by_role("heading", level=3, name=re.compile("Paketstation Mayen Marktplatz"))).to_be_visible()

    page.get_by_role("link", name="Etiketten drucken").click()
    label = page.locator(".crate-label", has_text=number)
    expect(label).to_contain_text("Paketstation Mayen Marktplatz")
    expect(label).to_contain_text("ungekühlt")
    expect(label.locator("svg")).to_be_visible()
    pdf = page.request.get(page.url.replace("/etiketten", "/etiketten.pdf"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.get_by_role("link", name="Zurück zum Liefertag").click()

    weight = page.get_by_label(f"Gewicht in Gramm für Kürbis Hokkaido, {number}")
    weight.fill("3000")  # more than 2 × 1.200 g + 20 %
    weight.locator("xpath=ancestor::form").get_by_role("button", name="Gewicht speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("zwischen 1920 g und 2880 g")
    weight = page.get_by_label(f"Gewicht in Gramm für Kürbis Hokkaido, {number}")
    weight.fill("2600")
    weight.locator("xpath=ancestor::form").get_by_role("button", name="Gewicht speichern").click()
    expect(page.get_by_text("Gespeichert.")).to_be_visible()
    expect(page.locator(".packing-order", has_text=number).locator("tr", has_text="Kürbis Hokkaido")).to_contain_text("7,59")
    _sign_out(page)

    _sign_in(page, base, "resident@example.org")
    page.goto(order_url)
    expect(page.locator("table", has_text="Kürbis Hokkaido").locator("tr", has_text="Kürbis Hokkaido")).to_contain_text("7,59")
    expect(page.locator("body")).to_contain_text("13,39")  # 7,59 € + 2 × 2,90 € for the carrots
