"""The page cache: anonymous visitors share catalogue pages, nobody gets another visitor's page,
and no visitor gets a page older than the last committed change to the catalogue."""
from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass

import pytest
from flask import flash, redirect, render_template_string
from sqlalchemy import select, update

from marketplace import create_app
from marketplace.accounts.models import Role
from marketplace.catalog.models import Product
from marketplace.extensions import db as _db
from marketplace.web.page_cache import cached_for_anonymous, clear_page_cache
from tests import factories as f
from tests.api.conftest import token_for
from tests.conftest import NOW, login, redis_test_url
from tests.orders.helpers import TUESDAY, make_world

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
REDIS_TEST_URL = redis_test_url()


def _clear(app) -> None:
    with app.app_context():
        clear_page_cache()


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", lambda: NOW)
    _clear(app)
    yield
    _clear(app)


def _rename_behind_the_services_back(db, old: str, new: str) -> None:
    """A write that bypasses every service (no version bump): shows whether a page was cached."""
    product = db.session.scalars(select(Product).where(Product.name == old)).one()
    product.name = new
    db.session.commit()


def _set_stock_behind_the_services_back(db, product_id: int, stock: int) -> None:
    db.session.execute(update(Product).where(Product.id == product_id).values(stock=stock))
    db.session.commit()


# -- never stale ------------------------------------------------------------------------------

def _order_body(shop, quantity):
    return {
        "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
        "fulfilment": {"kind": "sales_point", "pickup_place_id": shop.station_id},
        "items": [{"product_id": shop.wine_id, "quantity": quantity}],
    }


def _api_stock(client, product_id: int) -> int:
    response = client.get(f"/api/v1/products/{product_id}")
    assert response.status_code == 200
    return response.get_json()["stock"]


def _page_stock(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r"nur noch (\d+) vorrätig", html)
    assert match, html[:2000]
    return match.group(1)


@dataclass(frozen=True)
class Shop:
    wine_id: int
    station_id: int
    producer_id: int
    resident_email: str


@pytest.fixture
def shop(app, db, cache_on):
    """The order world's ids as plain values: reading an ORM object outside a request would
    begin a write transaction on SQLite and keep the other "workers" waiting."""
    world = make_world()  # the wine: stock 5, so pages say "nur noch 5 vorrätig"
    shop = Shop(world.wine.id, world.sales_point.id, world.producer_b.id, world.resident.email)
    db.session.commit()
    return shop


def test_cancelling_an_order_shows_the_stock_given_back_in_the_very_next_api_read(app, shop):
    wine, anonymous, resident = shop.wine_id, app.test_client(), app.test_client()
    auth = {"Authorization": f"Bearer {token_for(resident, shop.resident_email)}"}
    assert _api_stock(anonymous, wine) == 5
    _set_stock_behind_the_services_back(_db, wine, 6)
    assert _api_stock(anonymous, wine) == 5  # the cache is on: the answer came from it
    _set_stock_behind_the_services_back(_db, wine, 5)

    placed = resident.post("/api/v1/orders", json=_order_body(shop, 2), headers=auth)
    assert placed.status_code == 201, placed.get_json()
    assert _api_stock(anonymous, wine) == 3
    cancelled = resident.post(f"/api/v1/orders/{placed.get_json()['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200
    assert _api_stock(anonymous, wine) == 5
    listed = anonymous.get("/api/v1/products?q=Riesling").get_json()["items"]
    assert [item["stock"] for item in listed] == [5]


@pytest.mark.parametrize("page", ["product", "catalogue"])
def test_cancelling_an_order_shows_the_stock_given_back_on_the_very_next_page(app, shop, page):
    url = f"/produkte/{shop.wine_id}" if page == "product" else "/produkte?q=Riesling"
    anonymous, resident = app.test_client(), app.test_client()
    auth = {"Authorization": f"Bearer {token_for(resident, shop.resident_email)}"}
    assert _page_stock(anonymous, url) == "5"
    placed = resident.post("/api/v1/orders", json=_order_body(shop, 1), headers=auth)
    assert placed.status_code == 201, placed.get_json()
    assert _page_stock(anonymous, url) == "4"
    resident.post(f"/api/v1/orders/{placed.get_json()['id']}/cancel", headers=auth)
    assert _page_stock(anonymous, url) == "5"


def test_a_producers_new_price_shows_in_the_very_next_anonymous_read(app, shop):
    producer = f.make_user(role=Role.PRODUCER, scope_id=shop.producer_id)
    _db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/api/v1/products/{shop.wine_id}").get_json()["price_cents"] == 1290
    auth = {"Authorization": f"Bearer {token_for(app.test_client(), producer.email)}"}
    changed = app.test_client().patch(
        f"/api/v1/products/{shop.wine_id}", json={"price_cents": 1350}, headers=auth)
    assert changed.status_code == 200, changed.get_json()
    assert anonymous.get(f"/api/v1/products/{shop.wine_id}").get_json()["price_cents"] == 1350


def _second_worker(database_url: str, **config):
    """Another app on the same database: what a second gunicorn worker is."""
    return create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, PAGE_CACHE_SECONDS=60,
        LANDKORB_CLOCK=lambda: NOW, **config,
    )


def _cancel_in(app, world, quantity=2):
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token_for(client, world.resident_email)}"}
    placed = client.post("/api/v1/orders", json=_order_body(world, quantity), headers=auth)
    assert placed.status_code == 201, placed.get_json()
    return lambda: client.post(f"/api/v1/orders/{placed.get_json()['id']}/cancel", headers=auth)


@pytest.fixture
def workers(shop, database_url):
    """Two workers, each with a cache of its own (no Redis): two gunicorn worker processes."""
    workers = [_second_worker(database_url), _second_worker(database_url)]
    yield workers
    for worker in workers:
        with worker.app_context():
            _db.engine.dispose()


def test_two_workers_without_redis_see_each_others_changes_at_once(workers, shop):
    here, there = (worker.test_client() for worker in workers)
    assert _api_stock(here, shop.wine_id) == 5 and _api_stock(there, shop.wine_id) == 5
    assert _page_stock(there, f"/produkte/{shop.wine_id}") == "5"
    cancel = _cancel_in(workers[0], shop)
    assert _api_stock(there, shop.wine_id) == 3
    assert _page_stock(there, f"/produkte/{shop.wine_id}") == "3"
    cancel_there = _cancel_in(workers[1], shop, quantity=1)
    assert _api_stock(here, shop.wine_id) == 2
    cancel()
    assert _api_stock(there, shop.wine_id) == 4
    cancel_there()
    assert _api_stock(here, shop.wine_id) == 5 and _api_stock(there, shop.wine_id) == 5


@pytest.fixture
def redis_workers(app, shop, database_url):
    """Two workers sharing one Redis cache under a key prefix of this test alone."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("no Redis at " + REDIS_TEST_URL)
    shared = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_TEST_URL,
              "CACHE_KEY_PREFIX": f"landkorb-test:{uuid.uuid4().hex}:"}
    workers = [_second_worker(database_url, **shared), _second_worker(database_url, **shared)]
    yield workers
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    _clear(workers[0])
    assert connection.keys(shared["CACHE_KEY_PREFIX"] + "*") == []
    for worker in workers:
        with worker.app_context():
            _db.engine.dispose()


def test_two_workers_share_their_cache_in_redis_and_see_each_others_changes(redis_workers, shop):
    first, second = (worker.test_client() for worker in redis_workers)
    assert _api_stock(first, shop.wine_id) == 5
    _set_stock_behind_the_services_back(_db, shop.wine_id, 6)
    assert _api_stock(second, shop.wine_id) == 5  # the first worker's answer, from Redis
    _set_stock_behind_the_services_back(_db, shop.wine_id, 5)
    cancel = _cancel_in(redis_workers[0], shop)
    assert _api_stock(second, shop.wine_id) == 3
    assert _page_stock(second, "/produkte?q=Riesling") == "3"
    cancel()
    assert _api_stock(second, shop.wine_id) == 5
    assert _page_stock(first, "/produkte?q=Riesling") == "5"


def test_a_cache_that_is_down_costs_a_fresh_page_not_an_error(shop, database_url):
    # A port nobody listens on: every cache call fails at once.
    down = _second_worker(database_url, CACHE_TYPE="RedisCache",
                          CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    try:
        client = down.test_client()
        assert _api_stock(client, shop.wine_id) == 5
        _set_stock_behind_the_services_back(_db, shop.wine_id, 4)
        assert _api_stock(client, shop.wine_id) == 4
    finally:
        with down.app_context():
            _db.engine.dispose()


# -- never another visitor's page -------------------------------------------------------------

def test_anonymous_visitors_share_a_cached_catalogue_page(app, demo, cache_on):
    first = app.test_client().get("/produkte?q=Bauernbrot").get_data(as_text=True)
    assert "Eifeler Bauernbrot" in first
    _rename_behind_the_services_back(demo, "Eifeler Bauernbrot", "Eifeler Bauernbrot neu gebacken")
    again = app.test_client().get("/produkte?q=Bauernbrot")
    assert again.get_data(as_text=True) == first  # served from the cache
    assert again.headers["X-Frame-Options"] == "DENY"  # security headers still on every answer
    assert "Set-Cookie" not in again.headers


def test_the_cache_is_off_by_default_in_tests(app, demo):
    client = app.test_client()
    assert "Eifeler Bauernbrot" in client.get("/produkte?q=Bauernbrot").get_data(as_text=True)
    _rename_behind_the_services_back(demo, "Eifeler Bauernbrot", "Eifeler Kastenbrot")
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
    _rename_behind_the_services_back(demo, "Eifeler Bauernbrot", "Eifeler Bauernbrot neu")
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
    """A separate app with pages that would leak if the cache stored them; `calls` counts how
    often each view ran (a view that runs again was not served from the cache)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, PAGE_CACHE_SECONDS=60)
    app.calls = {}

    def counted(name):
        app.calls[name] = app.calls.get(name, 0) + 1

    @app.get("/probe/token")
    @cached_for_anonymous
    def with_token():
        counted("token")
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    @app.get("/probe/session")
    @cached_for_anonymous
    def writes_session():
        from flask import session

        counted("session")
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
        counted("public")
        return "public"

    yield app
    with app.app_context():
        _db.engine.dispose()


def test_a_page_with_a_csrf_token_is_never_served_to_another_visitor(probe_app, db):
    first = _TOKEN.search(probe_app.test_client().get("/probe/token").get_data(as_text=True))
    second = _TOKEN.search(probe_app.test_client().get("/probe/token").get_data(as_text=True))
    assert first.group(1) != second.group(1)
    assert probe_app.calls["token"] == 2


def test_a_page_that_sets_a_cookie_is_not_stored(probe_app, db):
    response = probe_app.test_client().get("/probe/session")
    assert "Set-Cookie" in response.headers
    probe_app.test_client().get("/probe/session")
    assert probe_app.calls["session"] == 2


def test_a_flash_message_is_neither_served_from_nor_put_into_the_cache(probe_app, db):
    assert probe_app.test_client().get("/probe/page").get_data(as_text=True) == "page"
    client = probe_app.test_client()
    html = client.get("/probe/flash", follow_redirects=True).get_data(as_text=True)
    assert "Nur für Sie" in html
    assert "Nur für Sie" not in probe_app.test_client().get("/probe/page").get_data(as_text=True)


def test_head_requests_and_other_methods_bypass_the_cache(probe_app, db):
    client = probe_app.test_client()
    assert client.head("/probe/public").status_code == 200
    assert client.head("/probe/public").status_code == 200
    assert probe_app.calls["public"] == 2
    assert client.get("/probe/public").get_data(as_text=True) == "public"
    assert client.get("/probe/public").get_data(as_text=True) == "public"
    assert probe_app.calls["public"] == 3  # the second GET came from the cache
