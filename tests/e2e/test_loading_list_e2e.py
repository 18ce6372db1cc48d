"""The loading list is ticked off on the phone: a tick survives a reload (kept on the device)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.accounts.models import Role
from tests import factories as f
from tests.e2e.conftest import _new_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def tour(db):
    station = f.make_station()
    driver = f.make_user(role=Role.DRIVER, scope_id=station.sub_region_id, email="fahrer-laden@example.org")
    resident = f.make_user(home=station.place)
    orders = [f.make_order(resident, [(f.make_product(), 1)], place=station) for _ in range(2)]
    tour = f.make_tour(f.make_vehicle(station.sub_region), [(o, station) for o in orders])
    tour.driver_id = driver.id
    db.session.commit()
    return tour, orders


@pytest.fixture
def phone(request, chromium_browser, live_server, tour):
    yield from _new_page(request, chromium_browser, viewport={"width": 390, "height": 844})


def test_the_driver_ticks_off_the_loading_list_and_the_ticks_stay(phone, live_server, tour):
    tour, orders = tour
    page = phone
    page.goto(f"{live_server}/login")
    page.get_by_label("E-Mail").fill("fahrer-laden@example.org")
    page.get_by_label("Passwort").fill(f.TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_server}/delivery/tours/{tour.id}/loading")
    first = page.get_by_label(f"{orders[0].number} eingeladen")
    second = page.get_by_label(f"{orders[1].number} eingeladen")
    first.check()
    page.reload()
    expect(page.get_by_label(f"{orders[0].number} eingeladen")).to_be_checked()
    expect(second).not_to_be_checked()
