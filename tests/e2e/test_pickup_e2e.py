"""In a real browser: the demo operator sees tomorrow's planned compartments, the driver confirms the
delivery, the resident finds the code and its QR on the order page, the locker simulator collects
with it, the operator sees the compartment free again, and a sales point's staff hand an order over."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.admin.demo_stations import plan_demo_compartments
from marketplace.catalog.models import Product, Temperature
from marketplace.delivery.models import Vehicle
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.pickup.collection import compartment_labels, get_resident_pickup
from marketplace.pickup.models import ParcelStation, SalesPoint
from tests import factories as f
from tests.conftest import NOW

pytestmark = pytest.mark.e2e
STATION = "Paketstation Mayen Marktplatz"
SHOP = "Dorfladen Kehrig"
TOMORROW = date(2026, 3, 3)  # NOW is Monday 2 March; Eifel delivers on Tuesdays


@pytest.fixture
def tomorrow(app, demo):
    """Two demo orders of the resident for tomorrow, one at the station, one at the shop, on
    a published tour of the demo driver; the station's compartments planned as the demo plans them."""
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    resident = db.session.scalars(select(User).where(User.email == "resident@example.org")).one()
    driver = db.session.scalars(select(User).where(User.email == "driver@example.org")).one()
    station = db.session.scalars(select(ParcelStation).where(ParcelStation.name == STATION)).one()
    shop = db.session.scalars(select(SalesPoint).where(SalesPoint.name == SHOP)).one()
    product = db.session.scalars(select(Product).where(Product.temperature == Temperature.AMBIENT)
                                 .order_by(Product.id)).first()
    at_station = f.make_order(resident, [(product, 2)], place=station, day=TOMORROW, status=OrderStatus.CONFIRMED)
    at_shop = f.make_order(resident, [(product, 1)], place=shop, day=TOMORROW, status=OrderStatus.CONFIRMED)
    plan_demo_compartments()
    vehicle = db.session.scalars(select(Vehicle).where(Vehicle.sub_region_id == station.sub_region_id)).first()
    tour = f.make_tour(vehicle, [(at_station, station), (at_shop, shop)], day=TOMORROW)
    tour.driver_id = driver.id
    world = {"label": compartment_labels(at_station.id)[0], "ids": (station.id, at_station.id, at_shop.id, tour.id),
             "numbers": (at_station.number, at_shop.number)}
    db.session.commit()  # on SQLite an open transaction here would hold the server's write lock
    yield world
    db.session.commit()
    app.config.pop("LANDKORB_CLOCK", None)


def _code_of(order_id: int) -> str:
    """The resident's code, read as the resident's order page reads it (then the transaction ends)."""
    db.session.expire_all()
    code = get_resident_pickup(db.session.get(Order, order_id), now=NOW).code
    db.session.commit()
    return code


def _status_of(order_id: int) -> OrderStatus:
    db.session.expire_all()
    status = db.session.get(Order, order_id).status
    db.session.commit()
    return status


def _log_in(page, base, email):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()


def test_from_planned_compartment_to_collection_and_handover(desktop_page, live_server, app, tomorrow):
    page, base = desktop_page, live_server
    station_id, order_id, shop_order_id, tour_id = tomorrow["ids"]
    number, shop_number = tomorrow["numbers"]
    label = tomorrow["label"]

    # The operator sees tomorrow's planned compartment for the order.
    _log_in(page, base, "operator@example.org")
    page.goto(f"{base}/operator/stations/{station_id}")
    page.get_by_label("Tag").fill(TOMORROW.isoformat())
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("#planned")).to_contain_text(number)
    expect(page.locator("#planned")).to_contain_text(label)

    # The driver confirms both stops in the driver view.
    _log_in(page, base, "driver@example.org")
    page.goto(f"{base}/delivery/driver/tours/{tour_id}")
    for _ in range(2):
        page.locator("#current-stop").get_by_role("button", name="Zustellung bestätigen").click()
        expect(page.get_by_text("ist als zugestellt bestätigt")).to_be_visible()
    expect(page.locator(f"#compartment-{label}")).to_have_count(0)  # the driver sees no station page
    code = _code_of(order_id)

    # The resident's order page shows the code and its QR code.
    _log_in(page, base, "resident@example.org")
    page.goto(f"{base}/bestellungen/{order_id}")
    box = page.locator("#pickup-code")
    expect(box).to_contain_text(code)
    expect(box).to_contain_text(label)
    qr = box.get_by_role("img", name="QR-Code des Abholcodes")
    expect(qr).to_be_visible()
    assert page.evaluate("img => img.naturalWidth", qr.element_handle()) > 0

    # The locker simulator collects with it.
    runner = app.test_cli_runner()
    key = runner.invoke(args=["stations", "key", str(station_id)]).output.strip()
    played = runner.invoke(args=["stations", "simulate", str(station_id), "--key", key, "--code", code])
    assert played.exit_code == 0, played.output

    # The operator sees the compartment free again.
    _log_in(page, base, "operator@example.org")
    page.goto(f"{base}/operator/stations/{station_id}")
    expect(page.locator(f"#compartment-{label}")).to_contain_text("frei")
    expect(page.locator("#waiting")).to_have_count(0)

    # The sales point's staff confirm receipt and hand the other order over on the code.
    _log_in(page, base, "salespoint@example.org")
    page.goto(f"{base}/me/sales-point")
    page.get_by_role("link", name="Anlieferungen und Übergaben").click()
    page.get_by_label("Tag").fill(TOMORROW.isoformat())
    page.get_by_role("button", name="Anzeigen").click()
    row = page.locator(f"#order-{shop_number}")
    row.get_by_role("button", name="Anlieferung annehmen").click()
    expect(page.get_by_text("ist angenommen")).to_be_visible()
    shop_code = _code_of(shop_order_id)
    row = page.locator(f"#order-{shop_number}")
    row.locator(f"#code-{shop_order_id}").fill(shop_code)
    row.get_by_role("button", name="Übergeben").click()
    expect(page.get_by_text(f"Bestellung {shop_number} ist übergeben.")).to_be_visible()
    expect(page.locator(f"#order-{shop_number}")).to_contain_text("übergeben")
    assert _status_of(shop_order_id) == OrderStatus.PICKED_UP and _status_of(order_id) == OrderStatus.PICKED_UP
