"""Browser journey: the coordinator plans, watches, reads map and grouping cost, publishes; the driver confirms a stop."""
from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.core.clock import utcnow
from tests.e2e.conftest import _new_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded_day(demo):
    """Confirmed orders on the next delivery days from today, and a van next door for the grouping cost."""
    from marketplace.admin.demo import seed_demo
    from marketplace.delivery.models import Vehicle
    from marketplace.regions.models import SubRegion

    db = demo
    seed_demo(now=utcnow(), residents=40, orders=80, password_hash_method="pbkdf2:sha256:1000")
    neighbour = db.session.scalars(select(SubRegion).where(SubRegion.slug == "pellenz-rhein")).one()
    db.session.add(Vehicle(sub_region=neighbour, name="Pellenz-Bus", capacity_ambient=60, capacity_chilled=20,
                           capacity_frozen=6, shift_start=time(6, 0), shift_end=time(18, 0)))
    db.session.commit()
    return db


@pytest.fixture
def desktop(request, chromium_browser, live_server, seeded_day):
    yield from _new_page(request, chromium_browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(request, chromium_browser, live_server, seeded_day):
    yield from _new_page(request, chromium_browser, viewport={"width": 390, "height": 844},
                         device_scale_factor=2, is_mobile=True, has_touch=True)


def log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("landkorb-demo")
    page.get_by_role("button", name="Anmelden").click()


def open_current_stop(page, base):
    """The driver's first distribution tour (the only tour opens by itself), at its current stop."""
    page.goto(f"{base}/delivery/driver")
    tour_links = page.get_by_role("link", name=re.compile("Verteiltour"))
    if tour_links.count():
        tour_links.first.click()
    current = page.locator("#current-stop")
    expect(current).to_be_visible()
    return current


def test_coordinator_plans_and_publishes_then_driver_confirms_a_stop(desktop, phone, live_server):
    base, page = live_server, desktop
    log_in(page, base, "coordinator@example.org")

    # The demo has one van per sub-region: the coordinator adds a cooled one.
    page.goto(f"{base}/delivery/eifel/settings")
    page.get_by_role("link", name="Fahrzeug hinzufügen").click()
    for label, value in (("Name", "Eifel-Kühlwagen"), ("Kisten ungekühlt", "60"), ("Kisten gekühlt", "20"),
                         ("Kisten tiefgekühlt", "6"), ("Schichtbeginn", "06:00"), ("Schichtende", "18:00"),
                         ("Kosten je km (Cent)", "35"), ("Kosten je Stunde (Cent)", "2500")):
        page.get_by_label(re.compile("^" + re.escape(label))).fill(value)
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("#vehicles")).to_contain_text("Eifel-Kühlwagen")

    page.get_by_role("link", name="Zu den Touren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Touren in Eifel")
    page.get_by_label("Rechenzeit je Teilproblem").select_option("2")
    page.get_by_role("button", name="Touren planen").click()
    expect(page.get_by_text("Die Planung läuft.")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator("#grouping-cost")).to_be_visible(timeout=90_000)

    map_ = page.locator("svg.tour-map")
    expect(map_).to_be_visible()
    assert map_.locator("path").count() >= 1
    expect(page.locator("#grouping-cost")).to_contain_text("Ohne Grenzen")
    expect(page.locator("#grouping-cost")).to_contain_text("km")
    page.get_by_role("button", name="Touren veröffentlichen").click()
    expect(page.get_by_text(re.compile(r"\d+ Touren veröffentlicht"))).to_be_visible()

    phone_page = phone
    log_in(phone_page, base, "driver@example.org")
    current = open_current_stop(phone_page, base)
    stop_name = current.get_by_role("heading", level=2).inner_text()
    current.get_by_role("button", name="Zustellung bestätigen").click()
    expect(phone_page.get_by_text("Halt 1 ist als zugestellt bestätigt.")).to_be_visible()
    expect(phone_page.locator(".stop-list li.done")).to_contain_text(stop_name)
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
