"""The header's "Große Schrift": kept in the session, a class on <html> on every page, its own cached page."""
from __future__ import annotations

from tests.conftest import login
from tests.web.test_page_cache import cache_on  # noqa: F401  (the page cache switched on)

LARGE = '<html lang="de" class="large-text">'
NORMAL = '<html lang="de">'


def test_large_text_is_switched_on_in_the_header_and_survives_page_changes(client, demo):
    html = client.get("/produkte").get_data(as_text=True)
    assert NORMAL in html and 'href="/textgroesse/gross?next=/produkte"' in html and "Große Schrift" in html
    response = client.get("/textgroesse/gross?next=/produkte")
    assert response.status_code == 302 and response.headers["Location"] == "/produkte"
    for path in ("/produkte", "/", "/login", "/warenkorb"):
        html = client.get(path).get_data(as_text=True)
        assert LARGE in html, path
    assert "Normale Schrift" in html and 'href="/textgroesse/normal?next=/warenkorb"' in html
    client.get("/textgroesse/normal?next=/")
    assert NORMAL in client.get("/").get_data(as_text=True)


def test_large_text_stays_after_logging_in(client, demo):
    client.get("/textgroesse/gross?next=/")
    login(client, "resident@example.org")
    assert LARGE in client.get("/me/resident").get_data(as_text=True)


def test_an_unknown_size_or_a_foreign_target_changes_nothing(client, demo):
    response = client.get("/textgroesse/riesig?next=//evil.example/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert NORMAL in client.get("/").get_data(as_text=True)


def test_each_text_size_has_its_own_cached_page(app, demo, cache_on):  # noqa: F811
    assert NORMAL in app.test_client().get("/produkte").get_data(as_text=True)
    large = app.test_client()
    large.get("/textgroesse/gross?next=/produkte")
    assert LARGE in large.get("/produkte").get_data(as_text=True)
    assert NORMAL in app.test_client().get("/produkte").get_data(as_text=True)
