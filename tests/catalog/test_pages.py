"""Catalogue, product and producer pages as a visitor sees them."""
from __future__ import annotations

import pytest

from marketplace.catalog.models import Product, Unit
from tests.conftest import login
from tests.factories import make_product


def product_named(db, name):
    from sqlalchemy import select

    return db.session.scalars(select(Product).where(Product.name == name)).one()


def test_anonymous_visitor_browses_and_searches(client, demo):
    html = client.get("/produkte").get_data(as_text=True)
    assert "Produkte aus der Region" in html and "Zum Bestellen anmelden" in html
    html = client.get("/produkte?q=brot").get_data(as_text=True)
    assert "Eifeler Bauernbrot" in html and "Frische Vollmilch" not in html


def test_resident_sees_nearest_producer_first(client, demo):
    login(client, "resident@example.org")
    html = client.get("/produkte").get_data(as_text=True)
    # The demo resident lives in Kehrig, where Hofladen Schmitz is.
    first_card = html.split('class="card product-card"')[1]
    assert "Hofladen Schmitz" in first_card and " km" in first_card
    assert "In den Warenkorb" in html


@pytest.mark.parametrize(
    "query",
    ["seite=abc", "seite=0", "seite=99999999999", "kategorie=%27%20OR%201=1", "erzeuger=x",
     "lagerung=warm", "ort=-1", "q=" + "x" * 300, "seite=500"],
)
def test_bad_parameters_never_break_the_catalogue(client, demo, query):
    assert client.get(f"/produkte?{query}").status_code == 200


def test_filters_in_the_page(client, demo):
    html = client.get("/produkte?kategorie=milch-kaese&lagerung=chilled&bio=y").get_data(as_text=True)
    assert "Naturjoghurt" in html and "Frische Vollmilch" not in html


@pytest.mark.parametrize(
    ("stock", "text"),
    [(50, "vorrätig"), (5, "nur noch 5 vorrätig"), (0, "ausverkauft"), (None, "auf Bestellung")],
)
def test_product_page_shows_stock_state(client, demo, stock, text):
    product = product_named(demo, "Möhren")
    product.stock = stock
    demo.session.commit()
    html = client.get(f"/produkte/{product.id}").get_data(as_text=True)
    assert text in html
    assert ("Zum Bestellen anmelden" in html) == (stock != 0)


def test_product_page_facts_and_price_per_kg(client, demo):
    bread = product_named(demo, "Dinkelvollkornbrot")  # 5,20 € for 750 g
    html = client.get(f"/produkte/{bread.id}").get_data(as_text=True)
    assert "Bäckerei Hoffmann" in html and "7 %" in html and "750 g" in html
    assert "6,93\u00a0€" in html  # per kg
    assert "Nächste Liefertage" in html and "Eifel" in html and "Rhein-Westerwald" in html


def test_product_page_for_resident_shows_own_delivery_days(client, demo):
    login(client, "resident@example.org")
    carrots = product_named(demo, "Möhren")
    html = client.get(f"/produkte/{carrots.id}").get_data(as_text=True)
    assert "Eifel" in html and "Rhein-Westerwald" not in html
    assert "bis " in html and "km von Ihnen" in html


def test_product_sold_per_kg_has_no_second_per_kg_price(client, demo):
    product = product_named(demo, "Kartoffeln festkochend")
    html = client.get(f"/produkte/{product.id}").get_data(as_text=True)
    assert "Preis pro kg" in html


def test_inactive_or_unknown_product_is_404(client, demo):
    product = product_named(demo, "Möhren")
    product.is_active = False
    demo.session.commit()
    assert client.get(f"/produkte/{product.id}").status_code == 404
    assert client.get("/produkte/999999").status_code == 404


def test_producer_page_lists_goods_with_state(client, demo):
    html = client.get("/erzeuger/hofladen-schmitz").get_data(as_text=True)
    assert "Möhren" in html and "nur noch 3 vorrätig" in html and "Eifel" in html


def test_pagination_links_keep_filters(client, db):
    from tests.factories import make_category, make_producer

    category = make_category(slug="alles")
    producer = make_producer()
    for i in range(30):
        make_product(producer, category, name=f"Saft {i:02d}", unit=Unit.LITRE)
    db.session.commit()
    html = client.get("/produkte?q=saft&kategorie=alles").get_data(as_text=True)
    assert "Seite 1 von 2" in html
    assert "seite=2" in html and "q=saft" in html and "kategorie=alles" in html
    html2 = client.get("/produkte?q=saft&kategorie=alles&seite=2").get_data(as_text=True)
    assert "Saft 29" in html2 and "Saft 00" not in html2
