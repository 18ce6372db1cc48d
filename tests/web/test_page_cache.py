"""The page cache: anonymous visitors share catalogue pages, nobody gets another visitor's page."""
from __future__ import annotations

import re

import pytest
from flask import flash, redirect, render_template_string
from sqlalchemy import select

from marketplace import create_app
from marketplace.catalog.models import Product
from marketplace.web.page_cache import PageCache, cached_for_anonymous, get_page_cache
from tests.conftest import login

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    get_page_cache(app).clear()
    yield get_page_cache(app)
    get_page_cache(app).clear()


def _rename(db, old: str, new: str) -> Product:
    product = db.session.scalars(select(Product).where(Product.name == old)).one()
    product.name = new
    db.session.commit()
    return product


def test_anonymous_visitors_share_a_cached_catalogue_page(app, demo, cache_on):
    first = app.test_client().get("/produkte?q=Bauernbrot").get_data(as_text=True)
    assert "Eifeler Bauernbrot" in first
    _rename(demo, "Eifeler Bauernbrot", "Eifeler Bauernbrot neu gebacken")
    again = app.test_client().get("/produkte?q=Bauernbrot")
    assert again.get_data(as_text=True) == first  # served from the cache, renamed product unseen
    assert again.headers["X-Frame-Options"] == "DENY"  # security headers still on every answer
    assert "Set-Cookie" not in again.headers


def test_the_cache_is_off_by_default_in_tests(app, demo):
    client = app.test_client()
    assert "Eifeler Bauernbrot" in client.get("/produkte?q=Bauernbrot").get_data(as_text=True)
    _rename(demo, "Eifeler Bauernbrot", "Eifeler Kastenbrot")
    assert "Eifeler Kastenbrot" in client.get("/produkte?q=brot").get_data(as_text=True)


def test_a_logged_in_visitor_never_gets_the_cached_anonymous_page(app, demo, cache_on):
    anonymous = app.test_client().get("/produkte").get_data(as_text=True)
    assert "Zum Bestellen anmelden" in anonymous
    client = app.test_client()
    login(client, "resident@example.org")
    html = client.get("/produkte").get_data(as_text=True)
    assert html != anonymous
    assert "Abmelden" in html and "In den Warenkorb" in html and "Zum Bestellen anmelden" not in html


def test_a_page_rendered_for_a_logged_in_visitor_is_never_stored(app, demo, cache_on):
    client = app.test_client()
    login(client, "resident@example.org")
    personal = client.get("/produkte").get_data(as_text=True)
    assert _TOKEN.search(personal)  # the basket forms carry the resident's CSRF token
    assert len(cache_on) == 0
    anonymous = app.test_client().get("/produkte").get_data(as_text=True)
    assert "csrf_token" not in anonymous and "Abmelden" not in anonymous


def test_each_language_has_its_own_cached_page(app, demo, cache_on):
    assert '<html lang="de">' in app.test_client().get("/produkte").get_data(as_text=True)
    english = app.test_client()
    english.get("/sprache/en?next=/produkte")
    assert '<html lang="en">' in english.get("/produkte").get_data(as_text=True)
    assert '<html lang="de">' in app.test_client().get("/produkte").get_data(as_text=True)


def test_the_product_api_is_cached_for_anonymous_callers_only(app, client, demo, cache_on):
    anonymous = client.get("/api/v1/products?q=Bauernbrot").get_json()
    assert anonymous["items"][0]["distance_km"] is None
    _rename(demo, "Eifeler Bauernbrot", "Eifeler Bauernbrot neu")
    assert client.get("/api/v1/products?q=Bauernbrot").get_json() == anonymous
    token = client.post(
        "/api/v1/auth/token", json={"email": "resident@example.org", "password": "landkorb-demo"}
    ).get_json()["token"]
    fresh = client.get("/api/v1/products?q=Bauernbrot", headers={"Authorization": f"Bearer {token}"})
    item = fresh.get_json()["items"][0]
    assert item["name"] == "Eifeler Bauernbrot neu" and item["distance_km"] is not None
    # A bad token is refused, never answered from the anonymous cache.
    bad = client.get("/api/v1/products?q=Bauernbrot", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


@pytest.fixture
def probe_app(database_url):
    """A separate app with pages that would leak if the cache stored them."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, PAGE_CACHE_SECONDS=60)

    @app.get("/probe/token")
    @cached_for_anonymous
    def with_token():
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    @app.get("/probe/session")
    @cached_for_anonymous
    def writes_session():
        from flask import session

        session["seen"] = True
        return "hello"

    @app.get("/probe/flash")
    def flashes():
        flash("Nur für Sie")
        return redirect("/probe/page")

    @app.get("/probe/page")
    @cached_for_anonymous
    def page():
        return render_template_string(
            "{% for m in get_flashed_messages() %}<p>{{ m }}</p>{% endfor %}page"
        )

    @app.get("/probe/public")
    @cached_for_anonymous
    def public():
        return "public"

    return app


def test_a_page_with_a_csrf_token_is_never_served_to_another_visitor(probe_app, db):
    first = _TOKEN.search(probe_app.test_client().get("/probe/token").get_data(as_text=True))
    second = _TOKEN.search(probe_app.test_client().get("/probe/token").get_data(as_text=True))
    assert first.group(1) != second.group(1)
    assert len(get_page_cache(probe_app)) == 0


def test_a_page_that_sets_a_cookie_is_not_stored(probe_app, db):
    response = probe_app.test_client().get("/probe/session")
    assert "Set-Cookie" in response.headers
    assert len(get_page_cache(probe_app)) == 0


def test_a_flash_message_is_neither_served_from_nor_put_into_the_cache(probe_app, db):
    assert probe_app.test_client().get("/probe/page").get_data(as_text=True) == "page"
    client = probe_app.test_client()
    html = client.get("/probe/flash", follow_redirects=True).get_data(as_text=True)
    assert "Nur für Sie" in html
    assert "Nur für Sie" not in probe_app.test_client().get("/probe/page").get_data(as_text=True)


def test_head_requests_and_other_methods_bypass_the_cache(probe_app, db):
    client = probe_app.test_client()
    assert client.head("/probe/public").status_code == 200
    assert len(get_page_cache(probe_app)) == 0
    assert client.get("/probe/public").get_data(as_text=True) == "public"
    assert len(get_page_cache(probe_app)) == 1


def test_entries_expire_and_the_cache_stays_bounded():
    cache = PageCache(max_entries=2)
    cache.set(("a",), 200, [], b"a", expires=10.0)
    assert cache.get(("a",), now=9.9) == (200, [], b"a")
    assert cache.get(("a",), now=10.0) is None
    for key in ("x", "y", "z"):
        cache.set((key,), 200, [], key.encode(), expires=100.0)
    assert len(cache) == 2 and cache.get(("x",), now=0) is None
