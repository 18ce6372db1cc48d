"""Registration, the home address and the sub-region it decides."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.regions import geo
from marketplace.regions.models import Place
from tests.conftest import csrf_token_from, login

GOOD = {
    "name": "Erna Beispiel", "email": "Erna@Example.org", "phone": "02651 4711",
    "password": "ein-langes-passwort", "password_repeat": "ein-langes-passwort",
}


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Nominatim must not be asked in tests")

    monkeypatch.setattr(geo, "_nominatim_cached", refuse)


def register(client, **changes):
    data = {**GOOD, **changes, "csrf_token": csrf_token_from(client, "/registrieren")}
    return client.post("/registrieren", data=data)


def user(db, email="erna@example.org") -> User | None:
    return db.session.scalars(select(User).where(User.email == email)).first()


def test_register_creates_a_resident_and_asks_for_the_address(client, demo):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/konto/adresse")
    created = user(demo)
    assert created.has_role(Role.RESIDENT) and created.phone == "02651 4711"
    assert "Ihre Adresse" in client.get("/konto/adresse").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"password": "kurz", "password_repeat": "kurz"}, "mindestens 10 Zeichen"),
        ({"password_repeat": "etwas-anderes-12"}, "stimmen nicht überein"),
        ({"email": "keine-mail"}, "email"),
        ({"name": ""}, "name"),
        ({"phone": "abc<script>"}, "Ziffern"),
        ({"email": "resident@example.org"}, "schon ein Konto"),
    ],
)
def test_registration_errors_keep_the_input(client, demo, changes, field_error):
    before = demo.session.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    response = register(client, **changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error"' in html and field_error.lower() in html.lower()
    assert 'value="Erna Beispiel"' in html or changes.get("name") == ""
    assert demo.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_registration_without_csrf_token_is_refused(client, demo):
    response = client.post("/registrieren", data=GOOD)
    assert response.status_code == 400
    assert user(demo) is None


def set_address(client, **data):
    token = csrf_token_from(client, "/konto/adresse")
    return client.post("/konto/adresse", data={**data, "csrf_token": token})


def test_address_inside_the_region_decides_the_sub_region(client, demo):
    register(client)
    kehrig = demo.session.scalars(select(Place).where(Place.name == "Kehrig")).one()
    response = set_address(client, street="Lindenweg 3", postcode=kehrig.postcode, town="Kehrig")
    assert response.status_code == 302
    created = user(demo)
    assert created.home_place.name == "Kehrig" and created.home_sub_region.name == "Eifel"
    assert created.home_lat is not None and created.street == "Lindenweg 3"
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Eifel" in page


def test_unknown_town_falls_back_to_the_nearest_place_of_the_plz(client, demo):
    register(client)
    response = set_address(client, street="Am Bach 1", postcode="56727", town="Kleinweiler")
    assert response.status_code == 302
    assert user(demo).home_sub_region is not None


def test_address_outside_the_region_can_still_browse(client, demo):
    register(client)
    response = set_address(client, street="Invalidenstraße 1", postcode="10115", town="Berlin")
    assert response.status_code == 302
    created = user(demo)
    assert created.home_place is None and created.home_lat == pytest.approx(52.53, abs=0.1)
    page = client.get("/start", follow_redirects=True).get_data(as_text=True)
    assert "außerhalb unserer Liefergebiete" in page
    assert client.get("/produkte").status_code == 200


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("12a45", "fünfstellige Postleitzahl"), ("", "Postleitzahl"), ("00000", "nicht finden")],
)
def test_bad_postcode_is_a_form_error_and_changes_nothing(client, demo, postcode, message):
    register(client)
    response = set_address(client, street="Weg 1", postcode=postcode, town="Nirgendwo")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="Weg 1"' in html and 'value="Nirgendwo"' in html
    assert user(demo).postcode is None


def test_address_page_needs_login(client, demo):
    response = client.get("/konto/adresse")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_address_form_shows_the_current_address(client, demo):
    login(client, "resident@example.org")
    html = client.get("/konto/adresse").get_data(as_text=True)
    assert 'value="Hauptstraße 20"' in html and "Eifel" in html


def test_resolve_address_prefers_the_typed_place_near_the_plz():
    places = [(1, "Kehrig", 50.2847, 7.2186), (2, "Mayen", 50.3279, 7.2228)]
    found = geo.resolve_address(street="x", postcode="56727", town="kehrig", places=places)
    assert found.place_id == 1 and found.source == "postcode"
    far = geo.resolve_address(street="x", postcode="10115", town="Kehrig", places=places)
    assert far.place_id is None
    offline = geo.resolve_address(street="x", postcode="00000", town="Mayen", places=places)
    assert offline.place_id == 2 and offline.source == "place"
    assert geo.resolve_address(street="x", postcode="00000", town="Atlantis", places=places) is None
