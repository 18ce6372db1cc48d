"""The coordinator's dashboard pages: their own sub-region only (another's is 404), every figure
as a table and a chart, CSV downloads, approving and declining waiting pickup places, searches
without result (their own sub-region's only)."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from marketplace.admin.demo_searches import SEARCHES, seed_unanswered_searches
from marketplace.catalog.unanswered import record_unanswered_search
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import Clock
from tests.conftest import NOW, csrf_token_from, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world


@pytest.fixture
def world(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    world = make_world()
    world.coordinator = f.make_user(role=Role.COORDINATOR, scope_id=world.sub_region.id)
    world.waiting = f.make_station(f.make_place(world.station.place.municipality), is_approved=False,
                                   name="Paketstation Neu")
    world.other_waiting = f.make_station(f.make_place(world.other_station.place.municipality), is_approved=False)
    f.make_order(world.resident, [(world.bread, 2)], place=world.station, day=NOW.date())
    db.session.commit()
    return world


@pytest.fixture
def coordinator(client, world):
    login(client, world.coordinator.email, TEST_PASSWORD)
    return client


def test_the_dashboard_shows_waiting_places_coverage_and_figures(coordinator, world):
    page = coordinator.get(f"/koordination/{world.sub_region.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Paketstation Neu" in html and world.other_waiting.name not in html
    assert html.count("<svg") == 5 and 'class="coverage-map"' in html
    assert world.resident.home_place.name in html and "9,00 €" in html


def test_another_sub_region_is_404_and_others_than_coordinators_403(coordinator, world, client):
    assert coordinator.get(f"/koordination/{world.other_sub_region.slug}").status_code == 404
    assert coordinator.get(f"/koordination/{world.other_sub_region.slug}/wochen.csv").status_code == 404
    assert coordinator.get("/koordination/nowhere").status_code == 404


def test_a_resident_cannot_open_the_dashboard(client, world):
    login(client, world.resident.email, TEST_PASSWORD)
    assert client.get(f"/koordination/{world.sub_region.slug}").status_code == 403


@pytest.mark.parametrize(("report", "header"), [
    ("abdeckung", "village;nearest_pickup_place;km;covered"), ("liefertage", "delivery_date;orders;turnover_cents"),
    ("wochen", "week_from;orders;turnover_cents"), ("touren", "delivery_date;tours;km"),
    ("ausser-reichweite", "resident_id;place"), ("ausverkauft", "product_id;product;producer;baskets"),
    ("suchen-ohne-treffer", "week_from;term;searches"),
])
def test_every_figure_downloads_as_csv(coordinator, world, report, header):
    response = coordinator.get(f"/koordination/{world.sub_region.slug}/{report}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").startswith(header)


def test_the_days_csv_counts_the_orders(coordinator, world):
    body = coordinator.get(f"/koordination/{world.sub_region.slug}/liefertage.csv").data.decode("utf-8-sig")
    assert f"{NOW.date().isoformat()};1;900;1" in body
    assert coordinator.get(f"/koordination/{world.sub_region.slug}/nothing.csv").status_code == 404


def _review(client, world, place, **data):
    token = csrf_token_from(client, f"/koordination/{world.sub_region.slug}")
    return client.post(f"/koordination/{world.sub_region.slug}/orte/{place.id}/pruefung",
                       data={"csrf_token": token, **data})


def test_approve_and_decline_with_a_reason(coordinator, world):
    second = f.make_sales_point(f.make_place(world.station.place.municipality), is_approved=False)
    db.session.commit()
    assert _review(coordinator, world, world.waiting, decision="approve").status_code == 302
    refused = _review(coordinator, world, second, decision="decline", reason="")
    assert refused.status_code == 302
    db.session.expire_all()
    assert second.reviewed_at is None  # no reason: nothing changed
    _review(coordinator, world, second, decision="decline", reason="Kein Kühlregal")
    db.session.expire_all()
    assert world.waiting.is_approved and world.waiting.reviewed_at is not None
    assert (second.is_approved, second.review_note) == (False, "Kein Kühlregal")


def test_a_place_of_another_sub_region_cannot_be_reviewed(coordinator, world):
    assert _review(coordinator, world, world.other_waiting, decision="approve").status_code == 404
    db.session.expire_all()
    assert not world.other_waiting.is_approved and world.other_waiting.reviewed_at is None


def test_the_demo_coordinator_has_a_station_waiting_for_approval(demo, client):
    login(client, "coordinator@example.org")
    html = client.get("/koordination/eifel").get_data(as_text=True)
    assert "Paketstation Kehrig Vereinsheim" in html and "Freigeben" in html
    assert "Imkerei am Hochsimmer" in html  # the producer's application, decided on its own page


def test_the_demo_coordinator_sees_searches_without_result(demo, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    assert seed_unanswered_searches(NOW) == 0  # seeded once
    login(client, "coordinator@example.org")
    html = client.get("/koordination/eifel").get_data(as_text=True)
    table = html.split('id="unanswered-searches"')[1].split("</table>")[0]
    assert all(term in table for term in SEARCHES)
    assert all(client.get(f"/api/v1/products?q={term}").get_json()["total"] == 0 for term in SEARCHES)


def _searched(world, term, times=1, *, at=NOW, sub_region=None):
    for _ in range(times):
        record_unanswered_search(text=term, sub_region_id=(sub_region or world.sub_region).id, now=at)
    db.session.commit()


def test_a_search_without_result_appears_on_the_dashboard_and_one_with_results_does_not(coordinator, world, app):
    anonymous = app.test_client()
    assert "Bauernbrot" in anonymous.get("/produkte?q=Bauernbrot").get_data(as_text=True)
    anonymous.get(f"/produkte?q=Ziegenkäse&ort={world.resident.home_place.id}")
    anonymous.get(f"/produkte?q=Dinkelmehl&ort={world.other_station.place.id}")  # another sub-region's
    html = coordinator.get(f"/koordination/{world.sub_region.slug}").get_data(as_text=True)
    table = html.split('id="unanswered-searches"')[1].split("</table>")[0]
    assert "ziegenkäse" in table and "02.03." in table
    assert "bauernbrot" not in table.lower() and "dinkelmehl" not in html
    assert "Suchen ohne Treffer" in html and html.count("<svg") == 5


def test_the_csv_lists_week_term_and_count_and_defuses_formulas(coordinator, world):
    _searched(world, "Ziegenkäse", 2)
    _searched(world, "=HYPERLINK(1)")
    _searched(world, "Dinkelmehl", sub_region=world.other_sub_region)
    response = coordinator.get(f"/koordination/{world.sub_region.slug}/suchen-ohne-treffer.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.decode("utf-8-sig").splitlines() == [
        "week_from;term;searches", "2026-03-02;ziegenkäse;2", "2026-03-02;'=hyperlink(1);1"]


def test_another_sub_regions_searches_are_404(coordinator, world):
    _searched(world, "Dinkelmehl", sub_region=world.other_sub_region)
    assert coordinator.get(f"/koordination/{world.other_sub_region.slug}/suchen-ohne-treffer.csv").status_code == 404
