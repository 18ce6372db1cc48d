"""axe-core (bundled by axe-playwright-python) scans the pages of every demo role, on a desktop and
on a phone-sized screen: no violation of impact "serious" or "critical" on any of them.

The demo is seeded once for the module; each role logs in once per screen (a browser context of
its own), and every page × screen is a test of its own. Pages behind an id are found by following
the first matching link of the role's own overview, so the scan walks the pages a user reaches.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.pickup.models import SalesPoint
from tests import factories as f

pytestmark = pytest.mark.e2e

PASSWORD = "landkorb-demo"
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
}
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class Scan:
    name: str
    account: str | None  # e-mail of the demo account, None for a visitor
    path: str  # the page itself, or the overview whose first `link` leads to it
    link: str | None = None  # the path prefix of the page to reach from `path` by its first link
    but_not: str = ""  # a CSS :not() for links with that prefix that lead elsewhere

    @property
    def selector(self) -> str:
        return f'main a[href^="{self.link}"]{self.but_not}'


PAGES = [
    Scan("start", None, "/"),
    Scan("login", None, "/login"),
    Scan("catalogue", None, "/produkte"),
    Scan("product", None, "/produkte", "/produkte/"),
    Scan("basket", "resident@example.org", "/warenkorb"),
    Scan("checkout", "resident@example.org", "/kasse"),
    Scan("account", "resident@example.org", "/me/resident"),
    Scan("address", "resident@example.org", "/konto/adresse"),
    Scan("orders", "resident@example.org", "/bestellungen"),
    Scan("order", "resident@example.org", "/bestellungen", "/bestellungen/"),
    Scan("producer-portal", "producer@example.org", "/me/producer"),
    Scan("producer-products", "producer@example.org", "/me/producer/products"),
    Scan("producer-new-product", "producer@example.org", "/me/producer/products/neu"),
    Scan("producer-sales", "producer@example.org", "/me/producer/sales"),
    Scan("producer-team", "producer@example.org", "/me/producer/team"),
    Scan("operator-portal", "operator@example.org", "/me/operator"),
    Scan("operator-station", "operator@example.org", "/me/operator", "/operator/stations/"),
    Scan("sales-point-portal", "salespoint@example.org", "/me/sales-point"),
    Scan("sales-point-handover", "salespoint@example.org", "/me/sales-point", "/sales-point/"),
    Scan("hub", "salespoint@example.org", "/hub"),
    Scan("hub-search", "salespoint@example.org", "/hub?q=Weber"),
    Scan("hub-resident", "salespoint@example.org", "/hub?q=Weber", "/hub/kunden/", ':not([href$="/neu"])'),
    Scan("hub-new-resident", "salespoint@example.org", "/hub/kunden/neu"),
    Scan("driver-portal", "driver@example.org", "/me/driver"),
    Scan("driver-tour", "driver@example.org", "/delivery/driver", "/delivery/driver/tours/"),
    Scan("coordinator-dashboard", "coordinator@example.org", "/koordination/eifel"),
    Scan("coordinator-sub-region", "coordinator@example.org", "/delivery/eifel"),
    Scan("coordinator-settings", "coordinator@example.org", "/delivery/eifel/settings"),
    Scan("coordinator-producers", "coordinator@example.org", "/delivery/eifel/producers"),
    Scan("coordinator-day", "coordinator@example.org", "/delivery/eifel", "/delivery/eifel/days/"),
    Scan("coordinator-payment-methods", "coordinator@example.org", "/koordination/eifel/zahlungsarten"),
    Scan("admin-portal", "admin@example.org", "/me/admin"),
    Scan("region-setup", "admin@example.org", "/admin/region"),
    Scan("region-sub-region", "admin@example.org", "/admin/region", "/admin/region/teilregionen/",
         ':not([href$="/neu"])'),
    Scan("region-settings", "admin@example.org", "/admin/region/einstellungen"),
    Scan("region-log", "admin@example.org", "/admin/region/protokoll"),
    Scan("region-refund-rule", "admin@example.org", "/admin/region/erstattungen"),
    Scan("operator-new-station", "operator@example.org", "/operator/stations/new"),
]


@pytest.fixture(scope="module")
def seeded(app):
    """The demo alive around today as `flask demo seed` makes it, once for the module, and an
    order of the resident's (whose demo account has none) at the village shop; emptied
    afterwards like the `db` fixture does."""
    from marketplace.admin.demo import seed_demo
    from tests.conftest import empty_all_tables

    with app.app_context():
        seed_demo(now=utcnow(), password_hash_method="pbkdf2:sha256:1000", activity=True, plan_seconds=0.1)
        resident = db.session.scalars(select(User).where(User.email == "resident@example.org")).one()
        shop = db.session.scalars(select(SalesPoint).where(SalesPoint.name == "Dorfladen Kehrig")).one()
        product = db.session.scalars(select(Product).order_by(Product.id)).first()
        f.make_order(resident, [(product, 2)], place=shop, day=utcnow().date() + timedelta(days=1),
                     status=OrderStatus.CONFIRMED)
        db.session.commit()
        yield
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


@pytest.fixture(scope="module")
def pages(chromium_browser, live_server, seeded):
    """A logged-in page per (screen, account), made on first use; the resident's basket is filled."""
    made = {}

    def page_for(screen: str, account: str | None):
        key = (screen, account)
        if key not in made:
            context = chromium_browser.new_context(locale="de-DE", **SCREENS[screen])
            context.set_default_timeout(10_000)
            page = context.new_page()
            if account is not None:
                page.goto(f"{live_server}/login")
                page.get_by_label("E-Mail").fill(account)
                page.get_by_label("Passwort").fill(PASSWORD)
                page.get_by_role("button", name="Anmelden").click()
                page.wait_for_load_state()
                assert "/login" not in page.url, f"{account} could not log in"
            if account == "resident@example.org":
                page.goto(f"{live_server}/produkte")
                page.locator("main form.add-to-cart button[type=submit]").first.click()
                page.wait_for_load_state()
            made[key] = page
        return made[key]

    yield page_for
    for page in made.values():
        page.context.close()


def _serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v.get("impact") in BLOCKING]


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:8]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("scan", PAGES, ids=[s.name for s in PAGES])
def test_no_serious_or_critical_accessibility_violations(pages, live_server, scan, screen):
    page = pages(screen, scan.account)
    response = page.goto(f"{live_server}{scan.path}")
    assert response is not None and response.ok, f"{scan.path}: {response and response.status}"
    if scan.link and not urlsplit(page.url).path.startswith(scan.link):  # else redirected there
        links = page.locator(scan.selector)
        assert links.count(), f"no link {scan.selector} on {scan.path}"
        href = links.first.get_attribute("href")
        response = page.goto(f"{live_server}{href}")
        assert response is not None and response.ok, f"{href}: {response and response.status}"
    results = Axe().run(page)
    blocking = _serious(results.response["violations"])
    assert not blocking, f"{page.url} on {screen}:\n{_describe(blocking)}"
    # Tables and forms fit the screen: wide tables scroll inside their box, never the page.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} is wider than the {screen} screen")


def test_the_scan_reports_a_serious_violation(pages, live_server):
    """The scan itself works: an image without a text alternative and an unnamed button are found."""
    page = pages("desktop", None)
    page.goto(f"{live_server}/")
    page.evaluate("""() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="/static/none.png"><button type="button"></button>')""")
    found = {v["id"] for v in _serious(Axe().run(page).response["violations"])}
    assert {"image-alt", "button-name"} <= found


def test_large_text_is_chosen_in_the_header_and_kept_on_the_next_page(chromium_browser, live_server, seeded):
    """On a phone: "Große Schrift" enlarges the text, the next page keeps it, and stays clean."""
    context = chromium_browser.new_context(locale="de-DE", **SCREENS["phone"])
    try:
        page = context.new_page()
        page.goto(f"{live_server}/produkte")
        normal = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
        page.get_by_role("link", name="Große Schrift").click()
        expect(page.locator("html")).to_have_class("large-text")
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Start").click()
        expect(page.locator("html")).to_have_class("large-text")
        # Waits for the style sheet too (on a loaded machine it can come after the class is set).
        page.wait_for_function("normal => parseFloat(getComputedStyle(document.body).fontSize) >= normal * 1.2",
                               arg=normal, timeout=10_000)
        assert not _serious(Axe().run(page).response["violations"])
        page.get_by_role("link", name="Normale Schrift").click()
        expect(page.locator("html")).not_to_have_class("large-text")
    finally:
        context.close()
