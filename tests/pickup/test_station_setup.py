"""An operator adds a station (it waits for approval) and edits its details and photo; another
operator's station is 404; bad input is a form error and changes nothing."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.pickup.models import ParcelStation
from marketplace.reports.dashboard import list_places_waiting
from tests import factories as f
from tests.catalog.photo_files import image_bytes, png_declaring
from tests.conftest import NOW, csrf_token_from, login


@pytest.fixture
def world(app, db, tmp_path):
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    app.config["UPLOAD_DIR"] = str(tmp_path)
    mine = f.make_station(name="Station Bergdorf")
    theirs = f.make_station(name="Station Talheim")
    operator = f.make_user(role=Role.OPERATOR, scope_id=mine.id)
    village = f.make_place(mine.place.municipality, name="Neudorf")
    db.session.commit()
    yield mine, theirs, operator, village
    app.config.pop("LANDKORB_CLOCK", None)


@pytest.fixture
def operator(client, world):
    login(client, world[2].email, f.TEST_PASSWORD)
    return client


def _form(client, url, **fields):
    data = {"csrf_token": csrf_token_from(client, url), "name": "Station Neudorf", "street": "Am Anger 2",
            "access_hours": "täglich 6–22 Uhr", "contact_name": "Uwe Ott", "contact_phone": "02651 4711", **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ParcelStation))


def test_a_new_station_waits_for_the_coordinator_and_the_operator_runs_it(operator, world):
    mine, _, person, village = world
    response = _form(operator, "/operator/stations/new", place_id=str(village.id),
                     photo=(io.BytesIO(image_bytes("JPEG")), "standort.jpg"))
    assert response.status_code == 302
    station = db.session.scalars(select(ParcelStation).where(ParcelStation.name == "Station Neudorf")).one()
    assert not station.is_approved and station.place_id == village.id and station.photo_key
    assert station.contact_phone == "+4926514711" and station.access_hours == "täglich 6–22 Uhr"
    assert station.id in person.scopes(Role.OPERATOR)
    assert station.id in {p.id for p in list_places_waiting(village.municipality.sub_region_id)}
    page = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wartet auf Freigabe" in page and "Wo Station Neudorf steht" in page


def test_the_operator_edits_their_station(operator, world):
    mine, _, _, village = world
    response = _form(operator, f"/operator/stations/{mine.id}/edit", name="Station Bergdorf Kirche",
                     place_id=str(mine.place_id))
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.name == "Station Bergdorf Kirche" and mine.is_approved and mine.access_hours == "täglich 6–22 Uhr"


def test_another_operators_station_is_404_and_unchanged(operator, world):
    _, theirs, _, _ = world
    assert operator.get(f"/operator/stations/{theirs.id}/edit").status_code == 404
    token = csrf_token_from(operator, "/operator/stations/new")
    response = operator.post(f"/operator/stations/{theirs.id}/edit", data={
        "csrf_token": token, "name": "Gekapert", "street": "x", "place_id": str(theirs.place_id)})
    assert response.status_code == 404
    db.session.expire_all()
    assert theirs.name == "Station Talheim"


@pytest.mark.parametrize(("fields", "message"), [
    ({"name": ""}, "Bitte einen Namen angeben"),
    ({"place_id": "999999"}, "Bitte einen Ort der Region wählen"),
    ({"contact_phone": "keine Nummer"}, "Diese Telefonnummer können wir nicht lesen"),
    ({"photo": (io.BytesIO(b"not an image"), "x.jpg")}, "Bitte ein Foto als JPEG, PNG oder WebP"),
    ({"photo": (io.BytesIO(png_declaring(50_000, 50_000)), "bomb.png")}, "zu viele Bildpunkte"),
])
def test_bad_input_is_a_form_error_and_adds_nothing(operator, world, fields, message):
    village = world[3]
    before = _count()
    response = _form(operator, "/operator/stations/new", **{"place_id": str(village.id), **fields})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count() == before


def test_only_operators_add_stations(client, world):
    resident = f.make_user(home=world[3])
    db.session.commit()
    login(client, resident.email, f.TEST_PASSWORD)
    assert client.get("/operator/stations/new").status_code == 403
