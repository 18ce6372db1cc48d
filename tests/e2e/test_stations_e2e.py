"""In a real browser: the demo operator takes a compartment out of service and back, the locker
simulator reports heat, and the operator finds the compartment out of service, its chart and the alert."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.pickup.models import ParcelStation

pytestmark = pytest.mark.e2e
STATION = "Paketstation Mayen Marktplatz"


def test_the_operator_runs_the_station_and_sees_what_the_locker_reports(desktop_page, live_server, app):
    page, base = desktop_page, live_server
    station_id = db.session.scalar(select(ParcelStation.id).where(ParcelStation.name == STATION))
    db.session.commit()  # on SQLite an open transaction here would hold the server's write lock
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill("operator@example.org")
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{base}/me/operator")
    page.get_by_role("link", name=STATION).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(STATION)

    row = page.locator("#compartment-01")
    row.get_by_label("Grund").fill("Scharnier klemmt")
    row.get_by_role("button", name="Außer Betrieb nehmen").click()
    expect(page.get_by_text("Fach 01 ist außer Betrieb.")).to_be_visible()
    expect(page.locator("#compartment-01")).to_contain_text("außer Betrieb: Scharnier klemmt")
    page.locator("#compartment-01").get_by_role("button", name="Wieder in Betrieb nehmen").click()
    expect(page.get_by_text("Fach 01 ist wieder in Betrieb.")).to_be_visible()

    runner = app.test_cli_runner()
    key = runner.invoke(args=["stations", "key", str(station_id)]).output.strip()
    played = runner.invoke(args=["stations", "simulate", str(station_id), "--key", key,
                                 "--temperature", "27=4.5,6.0,9.0"])
    assert played.exit_code == 0, played.output
    page.reload()
    expect(page.locator("#compartment-27")).to_contain_text("außer Betrieb: Temperatur 9.0 °C über 7.0 °C")
    page.locator("#compartment-27").get_by_role("link", name="gekühlt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Temperaturen in Fach 27")
    expect(page.locator("figure.chart svg polyline")).to_have_count(1)
    expect(page.get_by_role("link", name="Als CSV herunterladen (HACCP)")).to_be_visible()

    page.goto(f"{base}/dev/outbox")
    expect(page.locator('.outbox-item[data-kind="compartment_out_of_service"]').first).to_be_visible()
