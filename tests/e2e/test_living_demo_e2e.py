"""Browser: after the seed of `make run`, producer, coordinator and driver each find real work."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from marketplace.core.clock import utcnow
from tests.e2e.conftest import _new_page
from tests.e2e.test_tours_e2e import log_in, open_current_stop

pytestmark = pytest.mark.e2e


@pytest.fixture
def living_demo(demo):
    from marketplace.admin.demo import seed_demo

    seed_demo(now=utcnow(), password_hash_method="pbkdf2:sha256:1000", activity=True, plan_seconds=0.1)
    demo.session.commit()
    return demo


@pytest.fixture
def page(request, chromium_browser, live_server, living_demo):
    yield from _new_page(request, chromium_browser, viewport={"width": 1280, "height": 900})


def _log_out(page):
    page.get_by_role("button", name="Abmelden").click()


def test_every_role_finds_real_work_after_the_seed(page, live_server):
    base = live_server
    log_in(page, base, "producer@example.org")
    orders = page.locator("section[aria-labelledby=orders-heading]")
    expect(orders.get_by_role("heading", level=3).first).to_contain_text(re.compile(r"\d+ Bestellung"))
    assert orders.locator("tbody tr, tr").count() >= 2
    _log_out(page)

    log_in(page, base, "coordinator@example.org")
    page.goto(f"{base}/delivery/eifel")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Touren in Eifel")
    expect(page.get_by_role("link", name=re.compile(r"\(2\d Bestellungen\)")).first).to_be_visible()
    expect(page.locator("svg.tour-map")).to_be_visible()  # the closed day's published tours, at once
    assert page.locator("svg.tour-map path").count() >= 1
    expect(page.get_by_role("button", name="Touren planen")).to_be_visible()
    _log_out(page)

    log_in(page, base, "driver@example.org")
    current = open_current_stop(page, base)
    expect(current.get_by_role("button", name="Zustellung bestätigen")).to_be_visible()
