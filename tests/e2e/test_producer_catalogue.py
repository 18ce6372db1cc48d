"""The demo producer in a real browser: a product with a photo, then a spreadsheet of 50 products."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.catalog.spreadsheet import HEADER
from tests.catalog.photo_files import image_bytes
from tests.e2e.packing_journey import resident_orders_and_producer_weighs

pytestmark = pytest.mark.e2e


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    return tmp_path


def _sheet(bad: dict[int, tuple[str, str]] | None = None) -> bytes:
    lines = [";".join(HEADER)]
    for i in range(50):
        category, price = (bad or {}).get(i, ("Obst & Gemüse", "2,20"))
        lines.append(f"E2E-{i:02d};Tabellenware {i:02d};{category};kg;{price};7;ungekühlt;0,2;{i};ja;")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")  # as German Excel saves it


def _count(db) -> int:
    count = db.session.scalar(select(func.count()).select_from(Product).where(Product.name.like("Tabellenware%")))
    db.session.rollback()  # no transaction (on SQLite: no write lock) left open for the server
    return count


def test_demo_producer_adds_a_product_with_photo_and_imports_a_spreadsheet(desktop_page, live_server, demo, uploads):
    page, base = desktop_page, live_server
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("producer@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{base}/me/producer")
    page.get_by_role("link", name="Neues Produkt").click()

    page.get_by_label(re.compile(r"^Name")).fill("Walnussbrot vom Hof")
    page.get_by_label(re.compile(r"^Artikelnummer")).fill("WAL-1")
    page.get_by_label(re.compile(r"^Kategorie")).select_option(label="Brot & Backwaren")
    page.get_by_label(re.compile(r"^Preis \(brutto")).fill("5,40")
    page.get_by_label(re.compile(r"^Bestand")).fill("12")
    page.get_by_label(re.compile("^Foto")).set_input_files(
        {"name": "walnussbrot.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", exif=True)})
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Das Produkt ist angelegt.")).to_be_visible()

    page.goto(f"{base}/produkte?q=Walnussbrot")
    photo = page.locator(".product-card", has_text="Walnussbrot vom Hof").locator("img.product-photo")
    expect(photo).to_have_attribute("alt", "Walnussbrot vom Hof")
    expect(photo).to_have_attribute("srcset", re.compile(r"-160\.webp 160w, .*-480\.webp 480w, .*-960\.webp 960w"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())

    page.goto(f"{base}/me/producer/products")
    page.get_by_role("link", name="Tabelle importieren").click()
    page.get_by_label(re.compile(r"^Tabelle \(CSV")).set_input_files(
        {"name": "katalog.csv", "mimeType": "text/csv", "buffer": _sheet({6: ("Obst & Gemüse", "2,205"), 40: ("Südfrüchte", "1,00")})})
    page.get_by_role("button", name="Datei prüfen").click()
    rows = page.locator("table.import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("8")
    expect(rows.nth(0)).to_contain_text("Preis")
    expect(rows.nth(1)).to_contain_text("42")
    expect(rows.nth(1)).to_contain_text("Kategorie")
    expect(page.get_by_role("button", name="Jetzt importieren")).to_have_count(0)
    assert _count(demo) == 0

    page.get_by_label(re.compile(r"^Tabelle \(CSV")).set_input_files(
        {"name": "katalog.csv", "mimeType": "text/csv", "buffer": _sheet()})
    page.get_by_role("button", name="Datei prüfen").click()
    expect(page.locator(".import-preview .stats")).to_contain_text("50")
    assert _count(demo) == 0
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(page.get_by_text("Import abgeschlossen: 50 neu, 0 geändert, 0 unverändert.")).to_be_visible()
    assert _count(demo) == 50

    resident_orders_and_producer_weighs(page, base)
