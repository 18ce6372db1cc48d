"""Whole journeys in a real browser: a resident orders, a visitor browses on a phone."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def add_to_basket(page, base, search, product_name):
    page.goto(f"{base}/produkte?q={search}")
    card = page.locator(".product-card", has_text=product_name).first
    card.get_by_label(re.compile("Menge")).fill("2")
    card.get_by_role("button", name=re.compile("In den Warenkorb")).click()
    expect(page.get_by_text("In den Warenkorb gelegt.")).to_be_visible()


def test_resident_orders_from_two_producers_to_a_sales_point(desktop_page, live_server):
    page = desktop_page
    base = live_server
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("resident@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gisela Schmitz")

    add_to_basket(page, base, "Möhren", "Möhren")
    add_to_basket(page, base, "Bauernbrot", "Eifeler Bauernbrot")

    page.get_by_role("link", name="Warenkorb").click()
    expect(page.get_by_role("heading", name="Hofladen Schmitz")).to_be_visible()
    expect(page.get_by_role("heading", name="Bäckerei Hoffmann")).to_be_visible()
    page.get_by_role("link", name="Zur Kasse").click()

    days = page.locator('input[name="delivery_date"]')
    expect(days.first).to_be_checked()
    first_day = page.locator(f'label[for="{days.first.get_attribute("id")}"] strong').inner_text()
    page.get_by_label(re.compile("Dorfbüro Monreal")).check()
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Danke für Ihre Bestellung!")
    number = page.locator(".order-number").inner_text()
    assert re.fullmatch(r"LK-[A-Z0-9]{4}-[A-Z0-9]{4}", number)
    expect(page.locator(".facts")).to_contain_text(first_day)
    expect(page.locator(".facts")).to_contain_text("Dorfbüro Monreal")

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Bestellungen").click()
    order_card = page.locator(".card", has_text=number)
    expect(order_card).to_contain_text("bestätigt")
    expect(order_card).to_contain_text(first_day)


def test_visitor_browses_searches_and_opens_a_product_on_a_phone(phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server}/produkte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Produkte aus der Region")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # Keyboard only: into the search field, type, Enter.
    search = page.get_by_label("Suche nach Name")
    search.focus()
    page.keyboard.type("Brot")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=Brot"))
    results = page.locator(".product-card")
    expect(results.first).to_be_visible()
    for name in results.locator("h2").all_inner_texts():
        assert "brot" in name.lower()

    results.first.locator("h2 a").click()
    expect(page.get_by_text("Preis pro kg")).to_be_visible()
    expect(page.get_by_text("Zum Bestellen anmelden")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # 200 % text size still fits the phone's width.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.goto(f"{live_server}/produkte")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
