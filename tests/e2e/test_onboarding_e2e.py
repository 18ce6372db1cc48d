"""In a real browser: a farm applies, adds a product while it waits, the Eifel coordinator
approves it, and the product is in the catalogue; the demo producer reads its sales chart."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer, Product
from marketplace.pickup.models import PickupPlace
from tests import factories as f
from tests.e2e.conftest import RESULTS

pytestmark = pytest.mark.e2e


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()


def _logout(page):
    page.get_by_role("button", name="Abmelden").click()


def test_apply_then_the_coordinator_approves_and_the_producer_is_listed(desktop_page, live_server, demo):
    page, base = desktop_page, live_server
    page.goto(base)
    page.get_by_role("link", name=re.compile("Als Erzeuger mitmachen")).click()
    page.get_by_label(re.compile("^Name des Betriebs")).fill("Ziegenhof Kehrig")
    page.get_by_label(re.compile("^Straße und Hausnummer")).fill("Am Bach 2")
    page.get_by_label(re.compile("^Postleitzahl")).fill("56729")
    page.get_by_label(re.compile("^Ort")).fill("Kehrig")
    page.get_by_label(re.compile("^Was Sie anbieten")).fill("Ziegenkäse und Ziegenmilch")
    page.get_by_label(re.compile("^Öko-Kontrollnummer")).fill("DE-ÖKO-039")
    page.get_by_label(re.compile("^Kleinunternehmer")).check()
    page.get_by_label(re.compile("^Ihr Name")).fill("Zora Ziegler")
    page.get_by_label(re.compile("^E-Mail")).fill("ziegenhof@example.org")
    page.get_by_label(re.compile(r"^Passwort(?! wiederholen)")).fill("landkorb-demo")
    page.get_by_label(re.compile("^Passwort wiederholen")).fill("landkorb-demo")
    page.get_by_role("button", name="Bewerbung absenden").click()
    expect(page.get_by_text("Ihre Bewerbung ist eingegangen", exact=False)).to_be_visible()
    expect(page.get_by_text("wartet auf Freischaltung")).to_be_visible()

    page.get_by_role("link", name="Neues Produkt").click()
    page.get_by_label(re.compile(r"^Name")).fill("Ziegenkäse mit Bärlauch vom Bach")
    page.get_by_label(re.compile(r"^Kategorie")).select_option(label="Milch & Käse")
    page.get_by_label(re.compile(r"^Preis \(brutto")).fill("3,80")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Das Produkt ist angelegt.")).to_be_visible()
    page.goto(f"{base}/produkte?q=B%C3%A4rlauch%20vom%20Bach")
    expect(page.get_by_text("Ziegenkäse mit Bärlauch vom Bach")).to_have_count(0)
    _logout(page)

    _login(page, base, "coordinator@example.org")
    page.goto(f"{base}/me/coordinator")
    page.locator("section", has_text="Eifel").get_by_role("link", name="Erzeuger prüfen").click()
    expect(page.get_by_role("heading", name=re.compile("Erzeuger prüfen: Eifel"))).to_be_visible()
    page.get_by_role("link", name="Ziegenhof Kehrig").click()
    expect(page.get_by_text("DE-ÖKO-039")).to_be_visible()
    page.get_by_role("button", name="Freischalten").click()
    expect(page.get_by_text("Ziegenhof Kehrig ist freigeschaltet und im Katalog.")).to_be_visible()
    _logout(page)

    page.goto(f"{base}/produkte?q=B%C3%A4rlauch%20vom%20Bach")
    expect(page.locator(".product-card", has_text="Ziegenkäse mit Bärlauch vom Bach")).to_be_visible()
    page.goto(f"{base}/dev/outbox")
    expect(page.get_by_text("Willkommen bei Landkorb: Ziegenhof Kehrig ist freigeschaltet").first).to_be_visible()


def test_the_demo_producer_reads_its_sales_chart(desktop_page, live_server, demo):
    page, base = desktop_page, live_server
    schmitz = demo.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()
    products = demo.session.scalars(select(Product).where(Product.producer_id == schmitz.id).order_by(Product.id)).all()
    resident = demo.session.scalars(select(User).where(User.email == "resident@example.org")).one()
    station = demo.session.scalars(select(PickupPlace).where(PickupPlace.sub_region_id == resident.home_sub_region.id)).first()
    for week, day in enumerate((date(2026, 2, 3), date(2026, 2, 10), date(2026, 2, 24))):
        f.make_order(resident, [(p, week + 1) for p in products[:7]], place=station, day=day)
    demo.session.commit()
    _login(page, base, "producer@example.org")
    page.goto(f"{base}/me/producer")
    page.get_by_role("link", name="Umsatz", exact=True).click()
    page.get_by_label(re.compile("^Von")).fill("2026-02-01")
    page.get_by_label(re.compile("^Bis")).fill("2026-03-01")
    page.get_by_role("button", name="Anzeigen").click()
    chart = page.locator("svg.sales-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("rect[fill^='url(#pat-']").first).to_be_visible()
    expect(page.get_by_role("heading", name="Je Produkt")).to_be_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "sales-chart.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Als Tabelle herunterladen (CSV)").click()
    assert download.value.suggested_filename.startswith("umsatz-hofladen-schmitz-")
