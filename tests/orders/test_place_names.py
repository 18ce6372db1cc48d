"""A pickup place reads naturally on the order pages: its kind once, also when its name already
begins with it ("Paketstation Kehrig Dorfplatz", never "Paketstation Paketstation …")."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from marketplace.extensions import db as _db
from marketplace.web.labels import place_label
from tests import factories as f
from tests.conftest import login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import make_world


@pytest.mark.parametrize(("kind", "name", "label"), [
    ("station", "Paketstation Kehrig Dorfplatz", "Paketstation Kehrig Dorfplatz"),
    ("station", "paketstation am Bahnhof", "paketstation am Bahnhof"),
    ("station", "Kehrig Dorfplatz", "Paketstation Kehrig Dorfplatz"),
    ("station", "Paketstationen-Weg", "Paketstation Paketstationen-Weg"),  # a word, not the kind
    ("sales_point", "Dorfladen Kehrig", "Verkaufsstelle Dorfladen Kehrig"),
    ("sales_point", "Verkaufsstelle im Bürgerhaus", "Verkaufsstelle im Bürgerhaus"),
])
def test_a_place_label_names_the_kind_once(app, kind, name, label):
    with app.test_request_context():
        assert place_label(kind, name) == label


def test_a_german_name_that_begins_with_the_kind_is_not_prefixed_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert place_label("station", "Paketstation Kehrig") == "Paketstation Kehrig"
        assert place_label("station", "Kehrig").endswith(" Kehrig")


def _pages_of_an_order_at(client, place_of, name: str) -> dict[str, str]:
    world = make_world()
    place = place_of(world)
    place.name = name
    order = f.make_order(world.resident, [(world.bread, 1)], place=place)
    _db.session.commit()
    login(client, world.resident.email, TEST_PASSWORD)
    paths = (f"/bestellungen/{order.id}", f"/bestellungen/{order.id}/danke", "/bestellungen")
    return {path: client.get(path).get_data(as_text=True) for path in paths}


def test_the_order_pages_name_a_station_once(client, db):
    for path, html in _pages_of_an_order_at(client, lambda w: w.station, "Paketstation Kehrig Dorfplatz").items():
        assert "Paketstation Kehrig Dorfplatz" in html, path
        assert "Paketstation Paketstation" not in html, path


def test_the_order_pages_name_the_kind_of_a_place_whose_name_does_not(client, db):
    for path, html in _pages_of_an_order_at(client, lambda w: w.sales_point, "Dorfladen Kehrig").items():
        assert "Verkaufsstelle Dorfladen Kehrig" in html, path


def test_the_checkout_names_the_kind_only_of_a_place_whose_name_does_not(app, client, db, monkeypatch):
    from marketplace.orders.services import add_to_cart
    from tests.conftest import NOW

    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", lambda: NOW)
    world = make_world()
    world.station.name, world.sales_point.name = "Paketstation Kehrig Dorfplatz", "Dorfladen Kehrig"
    add_to_cart(user=world.resident, product_id=world.bread.id, quantity=1)
    _db.session.commit()
    login(client, world.resident.email, TEST_PASSWORD)
    html = client.get("/kasse").get_data(as_text=True)
    assert "Paketstation Kehrig Dorfplatz</strong>" in html and "(Paketstation)" not in html
    assert 'Dorfladen Kehrig</strong> <span class="muted">(Verkaufsstelle)</span>' in html
