"""The home page, health check, login per role, language switch and error pages."""
from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.core.money import format_cents
from tests.conftest import csrf_token_from, login


def test_home_lists_sub_regions_and_producers(client, demo):
    html = client.get("/").get_data(as_text=True)
    for name in ("Eifel", "Maifeld-Mosel", "Pellenz-Rhein", "Rhein-Westerwald"):
        assert name in html
    assert "Bäckerei Hoffmann" in html and "Weingut Lenz" in html
    assert '<html lang="de">' in html


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_gone(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


@pytest.mark.parametrize(
    ("email", "path", "expected"),
    [
        ("resident@example.org", "/me/resident", ["Kehrig", "Dorfladen Kehrig", "Hofladen Schmitz", "Eifel"]),
        ("producer@example.org", "/me/producer", ["Hofladen Schmitz", "Kartoffeln festkochend", "2,40\u00a0€"]),
        ("operator@example.org", "/me/operator", ["Paketstation Mayen Marktplatz", "gekühlt"]),
        ("salespoint@example.org", "/me/sales-point", ["Dorfladen Kehrig", "Öffnungszeiten", "08:00"]),
        ("driver@example.org", "/me/driver", ["Eifel", "Mayen"]),
        ("coordinator@example.org", "/me/coordinator", ["Eifel", "Liefertage", "Erzeuger"]),
        ("admin@example.org", "/me/admin", ["Landkreis Mayen-Koblenz", "Claudia Ko", "Rhein-Westerwald"]),
    ],
)
def test_every_demo_account_logs_in_to_a_page_for_its_role(client, demo, email, path, expected):
    response = login(client, email)
    assert response.headers["Location"].endswith("/start")
    start = client.get("/start")
    assert start.headers["Location"].endswith(path)
    html = client.get(path).get_data(as_text=True)
    for text in expected:
        assert text in html, text


def test_wrong_password_shows_a_form_error(client, demo):
    token = csrf_token_from(client)
    response = client.post("/login", data={"email": "resident@example.org", "password": "nope", "csrf_token": token})
    assert response.status_code == 200
    assert "E-Mail oder Passwort stimmen nicht." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, demo):
    response = client.post("/login", data={"email": "resident@example.org", "password": "landkorb-demo"})
    assert response.status_code == 400


def test_role_pages_are_closed_to_other_roles(client, demo):
    login(client, "resident@example.org")
    assert client.get("/me/producer").status_code == 403
    assert client.get("/me/admin").status_code == 403


def test_role_pages_need_login(client, demo):
    response = client.get("/me/resident")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_language_switch_to_english_and_back(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/sprache/en?next=/"' in html
    response = client.get("/sprache/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Our producers" in html
    client.get("/sprache/de?next=/")
    assert "Unsere Erzeuger" in client.get("/").get_data(as_text=True)


def test_language_switch_returns_to_the_page_with_its_query(client, demo):
    html = client.get("/produkte?q=Apfel&seite=1").get_data(as_text=True)
    assert 'href="/sprache/en?next=/produkte?q%3DApfel%26seite%3D1"' in html
    response = client.get("/sprache/en?next=/produkte?q%3DApfel%26seite%3D1")
    assert response.headers["Location"] == "/produkte?q=Apfel&seite=1"


def test_language_switch_is_remembered_for_a_logged_in_user(client, demo):
    login(client, "resident@example.org")
    client.get("/sprache/en?next=/")
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    user = db.session.scalars(db.select(User).filter_by(email="resident@example.org")).one()
    db.session.refresh(user)
    assert user.locale == "en"


def test_language_switch_ignores_unknown_languages(client):
    client.get("/sprache/xx?next=/")
    assert '<html lang="de">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example", "evil"])
def test_language_switch_ignores_foreign_redirects(client, target):
    response = client.get("/sprache/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_pages_carry_no_csrf_token_for_anonymous_visitors(client, demo):
    for url in ("/", "/produkte"):
        assert "csrf_token" not in client.get(url).get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Diese Seite gibt es nicht." in response.get_data(as_text=True)


def test_money_is_shown_the_german_way():
    assert format_cents(1250, "de") == "12,50\u00a0€"
    assert format_cents(123456, "de") == "1.234,56\u00a0€"
    assert format_cents(1250, "en") == "€12.50"


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_base_layout_is_accessible_by_structure(client, demo):
    html = client.get("/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert 'name="viewport"' in html
    assert html.count("<h1") == 1


def test_resident_sees_pickup_places_nearest_first(client, demo):
    login(client, "resident@example.org")
    html = client.get("/me/resident").get_data(as_text=True)
    # The resident lives in Kehrig: the village shop there comes before Monreal and Mendig.
    assert html.index("Dorfladen Kehrig") < html.index("Dorfbüro Monreal") < html.index("Paketstation Mendig Bahnhof")


def test_coordinator_start_page_links_to_tour_planning(client, demo):
    login(client, "coordinator@example.org")
    html = client.get("/me/coordinator").get_data(as_text=True)
    assert 'href="/delivery/eifel"' in html and 'href="/delivery/eifel/settings"' in html
    assert "/delivery/eifel/days/" in html


def test_driver_start_page_links_to_the_driver_view(client, demo):
    login(client, "driver@example.org")
    assert 'href="/delivery/driver"' in client.get("/me/driver").get_data(as_text=True)

