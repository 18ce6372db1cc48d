"""Searches of the catalogue (HTML and API) that find no product are recorded as demand not
served: the normalised term, the sub-region, the time, nothing about the person; a search with
results is not; the page cache does not swallow them; a daily job forgets them after 180 days."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from marketplace.catalog.models import Product, UnansweredSearch
from marketplace.catalog.unanswered import normalise_search_term, record_unanswered_search
from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.jobs.runner import tick
from marketplace.web.page_cache import clear_page_cache
from tests.api.conftest import Clock, token_for
from tests.conftest import NOW, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world


@pytest.fixture
def world(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", Clock(NOW))
    return make_world()


def _recorded() -> list[tuple[str, int | None]]:
    db.session.expire_all()
    return [(s.term, s.sub_region_id) for s in db.session.scalars(select(UnansweredSearch).order_by(UnansweredSearch.id))]


def test_a_catalogue_search_without_result_is_recorded_with_the_residents_sub_region(client, world):
    login(client, world.resident.email, TEST_PASSWORD)
    page = client.get("/produkte?q=  Ziegen%20KÄSE ")
    assert page.status_code == 200
    assert _recorded() == [("ziegen käse", world.sub_region.id)]
    [search] = db.session.scalars(select(UnansweredSearch)).all()
    assert search.searched_at == NOW


def test_a_search_with_results_or_without_a_term_is_not_recorded(client, world):
    assert "Bauernbrot" in client.get("/produkte?q=bauern").get_data(as_text=True)
    client.get("/produkte")
    client.get("/produkte?q=%20%20")
    assert _recorded() == []


def test_an_anonymous_search_takes_the_chosen_place_or_no_sub_region(client, world):
    client.get(f"/produkte?q=Ziegenkäse&ort={world.other_station.place.id}")
    client.get("/produkte?q=Honig")
    assert _recorded() == [("ziegenkäse", world.other_sub_region.id), ("honig", None)]


def test_nothing_about_the_person_is_kept():
    assert {c.name for c in inspect(UnansweredSearch).columns} == {"id", "term", "sub_region_id", "searched_at"}


def test_the_api_search_without_result_is_recorded_too(client, world):
    token = token_for(client, world.resident.email)
    response = client.get("/api/v1/products?q=Ziegenkäse", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["total"] == 0
    assert client.get("/api/v1/products?q=Honig").get_json()["items"] == []
    assert client.get("/api/v1/products?q=Riesling").get_json()["total"] == 1
    assert _recorded() == [("ziegenkäse", world.sub_region.id), ("honig", None)]


def test_a_bad_api_request_records_nothing(client, world):
    response = client.get("/api/v1/products?q=Honig&temperature=lava")
    assert response.status_code == 422 and response.get_json()["error"]
    assert _recorded() == []


def test_the_page_cache_counts_every_empty_search_and_still_serves_hits(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    clear_page_cache()
    try:
        for _ in range(3):
            assert client.get("/produkte?q=Honig").status_code == 200
            assert client.get("/api/v1/products?q=Honig").status_code == 200
        assert _recorded() == [("honig", None)] * 6
        hit = client.get("/produkte?q=bauern").get_data(as_text=True)
        # Behind the services' back, no new catalogue version: a fresh page would miss the bread.
        db.session.execute(update(Product).where(Product.id == world.bread.id).values(name="Umbenannt"))
        db.session.commit()
        assert client.get("/produkte?q=bauern").get_data(as_text=True) == hit  # from the cache
    finally:
        clear_page_cache()


def test_terms_are_normalised_and_an_empty_one_is_refused(world):
    assert normalise_search_term("  Bio \t ÄPFEL ") == "bio äpfel"
    assert len(normalise_search_term("x" * 300)) == 100
    assert record_unanswered_search(text="   ", sub_region_id=None, now=NOW) is False
    assert db.session.scalar(select(func.count()).select_from(UnansweredSearch)) == 0


def test_the_daily_job_forgets_searches_older_than_180_days(world):
    for days in (181, 179):
        record_unanswered_search(text=f"vor {days} tagen", sub_region_id=world.sub_region.id,
                                 now=NOW - timedelta(days=days))
    db.session.commit()
    [outcome] = tick(now=NOW, jobs=[JOBS["forget_unanswered_searches"]])
    assert outcome.result == "ran"
    assert _recorded() == [("vor 179 tagen", world.sub_region.id)]
