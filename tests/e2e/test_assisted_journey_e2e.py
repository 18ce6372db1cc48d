"""In a real browser, the whole way of an assisted order: the demo sales point's staff register a
resident without an account (phone, consent) at the hub, order for her and print the slip; the
sub-region's coordinator sees the order on the dashboard; the driver delivers it to the sales
point, the staff receive it, and the resident's SMS (development gateway) carries the pickup code
that the slip shows and that opens the handover."""
from __future__ import annotations

import json
import re

import pytest
from babel.dates import format_date
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product, Temperature
from marketplace.delivery.models import Vehicle
from marketplace.extensions import db
from marketplace.notifications.sender import send_due
from marketplace.orders.models import Order, OrderStatus
from marketplace.pickup.models import SalesPoint
from marketplace.regions.models import Place
from marketplace.reports.dashboard import orders_per_day
from tests import factories as f
from tests.conftest import NOW
from tests.e2e.test_pickup_e2e import SHOP, _log_in

pytestmark = pytest.mark.e2e
RESIDENT, PHONE, PHONE_E164 = "Käthe Berg", "0171 2345678", "+491712345678"


@pytest.fixture
def hub_day(app, demo, tmp_path, monkeypatch):
    """The demo at NOW (Monday; the Eifel delivers on Tuesdays), SMS written to a file, and an
    ambient product in stock at the demo's Dorfladen Kehrig."""
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", lambda: NOW)
    monkeypatch.setitem(app.config, "SMS_DEV_FILE", str(tmp_path / "sms.jsonl"))
    shop = db.session.scalars(select(SalesPoint).where(SalesPoint.name == SHOP)).one()
    kehrig = db.session.get(Place, shop.place_id)
    product = next(p for p in db.session.scalars(
        select(Product).where(Product.is_active.is_(True), Product.temperature == Temperature.AMBIENT,
                              Product.stock > 10).order_by(Product.id)))
    world = {"shop_id": shop.id, "postcode": kehrig.postcode, "town": kehrig.name, "product": product.name,
             "sms": tmp_path / "sms.jsonl"}
    db.session.commit()  # on SQLite an open transaction here would hold the server's write lock
    yield world
    db.session.commit()


def _read(query):
    """One read in a transaction of its own, ended at once (the server must not wait for it)."""
    db.session.expire_all()
    value = query()
    db.session.commit()
    return value


def _placed_order() -> tuple[int, str, object, str, int]:
    order = db.session.scalars(select(Order).join(User, User.id == Order.resident_id)
                               .where(User.name == RESIDENT)).one()
    return order.id, order.number, order.delivery_date, order.sub_region.slug, order.total_cents


def _deliver_on_a_tour(order_id: int, shop_id: int) -> int:
    """The demo driver's published tour of the day with a stop at the sales point for the order."""
    order = db.session.get(Order, order_id)
    driver = db.session.scalars(select(User).where(User.email == "driver@example.org")).one()
    vehicle = db.session.scalars(select(Vehicle).where(Vehicle.sub_region_id == order.sub_region_id)).first()
    tour = f.make_tour(vehicle, [(order, db.session.get(SalesPoint, shop_id))], day=order.delivery_date)
    tour.driver_id = driver.id
    db.session.flush()
    tour_id = tour.id
    db.session.commit()  # and nothing read after it: a new transaction would hold SQLite's write lock
    return tour_id


def _sms_to(path, phone: str, number: str) -> list[str]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [line["text"] for line in lines if line["to"] == phone and number in line["text"]]


def test_an_assisted_order_from_the_hub_to_the_pickup_code_in_the_residents_sms(desktop_page, live_server, hub_day):
    page, base = desktop_page, live_server

    # At the hub: a resident without an account, registered with phone and consent.
    _log_in(page, base, "salespoint@example.org")
    page.goto(f"{base}/hub")
    page.get_by_role("link", name="Neue Kundin oder neuen Kunden anlegen").click()
    page.get_by_label(re.compile("^Name")).fill(RESIDENT)
    page.get_by_label(re.compile("^Telefon")).fill(PHONE)
    page.get_by_label(re.compile("^Straße und Hausnummer")).fill("Hauptstraße 3")
    page.get_by_label(re.compile("^Postleitzahl")).fill(hub_day["postcode"])
    page.get_by_label(re.compile("^Ort")).fill(hub_day["town"])
    page.get_by_label("SMS aufs Handy").check()
    page.get_by_label("vor Ort gezeigt oder vorgelesen").check()
    page.get_by_label("Die Person ist mit diesem Text einverstanden.").check()
    page.get_by_role("button", name="Anlegen").click()
    expect(page.get_by_text("angelegt, Einwilligung erfasst")).to_be_visible()

    # The basket: found by name, one item, at the sales point, paid on pickup.
    page.get_by_role("link", name="Neue Bestellung").click()
    page.get_by_label("Produkt suchen").fill(hub_day["product"])
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.get_by_label(hub_day["product"], exact=True).fill("2")
    page.locator("label", has_text=SHOP).click()
    page.get_by_label("bei Abholung (bar oder mit Karte)").check()
    days_before = _read(lambda: {d.day: d for d in orders_per_day(
        db.session.get(SalesPoint, hub_day["shop_id"]).sub_region_id, NOW.date(), NOW.date().replace(year=2027))})
    page.get_by_role("button", name=f"Für {RESIDENT} bestellen").click()

    # The slip opens, and prints as PDF; the code comes once the goods are there.
    order_id, number, day, slug, total_cents = _read(_placed_order)
    expect(page.get_by_role("heading", name=f"Bestellung {number}")).to_be_visible()
    expect(page.get_by_text(SHOP).first).to_be_visible()
    expect(page.get_by_text("Den Abholcode bekommen Sie, sobald die Ware da ist.")).to_be_visible()
    pdf = page.request.get(base + page.get_by_role("link", name="Als PDF drucken").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert slug == "eifel"  # the demo coordinator's sub-region

    # The coordinator sees the order in the day's figures of the dashboard.
    _log_in(page, base, "coordinator@example.org")
    page.goto(f"{base}/koordination/{slug}")
    before = days_before.get(day)
    row = page.locator("section[aria-labelledby='days-h'] tbody tr",
                       has_text=format_date(day, format="short", locale="de"))
    expect(row.locator("td").nth(1)).to_have_text(str((before.orders if before else 0) + 1))
    turnover = (before.turnover_cents if before else 0) + total_cents
    expect(row.locator("td").nth(2)).to_have_text(re.compile(f"{turnover // 100},{turnover % 100:02d}"))

    # The driver delivers it to the sales point; the staff receive it there.
    tour_id = _deliver_on_a_tour(order_id, hub_day["shop_id"])
    _log_in(page, base, "driver@example.org")
    page.goto(f"{base}/delivery/driver/tours/{tour_id}")
    page.locator("#current-stop").get_by_role("button", name="Zustellung bestätigen").click()
    expect(page.get_by_text("ist als zugestellt bestätigt")).to_be_visible()
    _log_in(page, base, "salespoint@example.org")
    page.goto(f"{base}/me/sales-point")
    page.get_by_role("link", name="Anlieferungen und Übergaben").click()
    page.get_by_label("Tag").fill(day.isoformat())
    page.get_by_role("button", name="Anzeigen").click()
    page.locator(f"#order-{number}").get_by_role("button", name="Anlieferung annehmen").click()
    expect(page.get_by_text(f"Bestellung {number} ist angenommen")).to_be_visible()

    # The outbox goes out (the `send_outbox` job): the SMS to her phone carries the code.
    assert _read(lambda: send_due(now=NOW, limit=1000)) > 0
    texts = _sms_to(hub_day["sms"], PHONE_E164, number)
    [sms] = [text for text in texts if "liegt bereit" in text]  # before it: confirmed, on the way
    code = re.search(r"Code (\S+), bis", sms).group(1)

    # The slip shows the same code, and the code opens the handover.
    page.goto(f"{base}/hub/bestellungen/{order_id}/zettel")
    expect(page.locator(".pickup-code")).to_contain_text(code)
    page.goto(f"{base}/sales-point/{hub_day['shop_id']}?date={day.isoformat()}")
    page.locator(f"#code-{order_id}").fill(f"{(int(code) + 1) % 10**8:08d}")  # any other code is refused
    page.locator(f"#order-{number}").get_by_role("button", name="Übergeben").click()
    expect(page.get_by_text("Der Abholcode stimmt nicht oder ist abgelaufen.")).to_be_visible()
    page.locator(f"#code-{order_id}").fill(code)
    page.locator(f"#order-{number}").get_by_role("button", name="Übergeben").click()
    expect(page.get_by_text(f"Bestellung {number} ist übergeben.")).to_be_visible()
    assert _read(lambda: db.session.get(Order, order_id).status) == OrderStatus.PICKED_UP
