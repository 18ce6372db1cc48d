"""The producer's catalogue pages: create, edit, pause, archive; bad input and other producers' products."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Category, Producer, Product
from tests.conftest import csrf_token_from, login

NEW = "/me/producer/products/neu"


def _mine(db) -> Producer:
    return db.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()


def _someone_elses(db) -> Product:
    return db.session.scalars(
        select(Product).join(Producer).where(Producer.name != "Hofladen Schmitz").order_by(Product.id)
    ).first()


def _form(db, **changes) -> dict:
    category = db.session.scalars(select(Category).order_by(Category.id)).first()
    data = {
        "name": "Landeier Größe M", "article_number": "EI-M", "description": "Vom Hof",
        "category_id": str(category.id), "unit": "piece", "price": "2,50", "vat_rate": "7",
        "temperature": "chilled", "crate_units": "0,5", "stock": "30", "min_quantity": "6",
        "quantity_step": "6", "weekdays": ["2", "5"], "is_active": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


@pytest.fixture
def producer_client(client, demo):
    login(client, "producer@example.org")
    return client


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": csrf_token_from(client, NEW)})


def test_the_portal_lists_own_products_and_links_to_them(producer_client, demo):
    html = producer_client.get("/me/producer").get_data(as_text=True)
    assert 'href="/me/producer/products"' in html
    html = producer_client.get("/me/producer/products").get_data(as_text=True)
    mine = demo.session.scalars(select(Product).where(Product.producer_id == _mine(demo).id)).all()
    assert mine and all(p.name in html for p in mine)
    assert _someone_elses(demo).name not in html


def test_a_producer_creates_a_product_with_german_price(producer_client, demo):
    response = _post(producer_client, NEW, _form(demo))
    assert response.status_code == 302
    product = demo.session.scalars(select(Product).where(Product.article_number == "EI-M")).one()
    assert product.producer_id == _mine(demo).id
    assert (product.price_cents, product.stock, product.min_quantity, product.quantity_step) == (250, 30, 6, 6)
    assert product.available_weekday_mask == 0b10010 and str(product.crate_units).startswith("0.5")
    assert producer_client.get(f"/produkte/{product.id}").status_code == 200


def test_an_empty_stock_means_made_to_order(producer_client, demo):
    assert _post(producer_client, NEW, _form(demo, stock="")).status_code == 302
    assert demo.session.scalars(select(Product.stock).where(Product.article_number == "EI-M")).one() is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"vat_rate": "16"}, "Keine gültige Auswahl"), ({"price": "-1,00"}, "nicht negativ"),
     ({"price": "zwei Euro"}, "wie 2,50"), ({"price": "2,505"}, "zwei Nachkommastellen"),
     ({"crate_units": "viel"}, "Zahl wie 0,5"), ({"stock": "-3"}, "Zahl muss zwischen 0"),
     ({"weekdays": []}, "mindestens einen Liefertag"), ({"name": ""}, "Dieses Feld wird benötigt"),
     ({"category_id": "999999"}, "Keine gültige Auswahl"),
     ({"season_start": "2026-06-01", "season_end": "2026-05-01"}, "Das Ende der Saison liegt nach ihrem Anfang")],
)
def test_bad_input_shows_a_form_error_and_writes_nothing(producer_client, demo, changes, message):
    before = _count(demo)
    response = _post(producer_client, NEW, _form(demo, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Bitte prüfen Sie die markierten Angaben." in html
    assert _count(demo) == before


def test_a_taken_article_number_is_a_form_error(producer_client, demo):
    assert _post(producer_client, NEW, _form(demo)).status_code == 302
    response = _post(producer_client, NEW, _form(demo, name="Noch mehr Eier"))
    assert response.status_code == 422 and "schon ein anderes Ihrer Produkte" in response.get_data(as_text=True)


def test_a_producer_edits_pauses_and_archives_its_product(producer_client, demo):
    _post(producer_client, NEW, _form(demo))
    product = demo.session.scalars(select(Product).where(Product.article_number == "EI-M")).one()
    url = f"/me/producer/products/{product.id}"
    html = producer_client.get(url).get_data(as_text=True)
    assert 'value="2,50"' in html and 'value="0,5"' in html
    assert _post(producer_client, url, _form(demo, price="2,90")).status_code == 302
    demo.session.refresh(product)
    assert product.price_cents == 290

    assert _post(producer_client, f"{url}/pausieren", {"aktiv": "0"}).status_code == 302
    demo.session.refresh(product)
    assert not product.is_active and producer_client.get(f"/produkte/{product.id}").status_code == 404
    _post(producer_client, f"{url}/pausieren", {"aktiv": "1"})
    demo.session.refresh(product)
    assert product.is_active

    assert _post(producer_client, f"{url}/archivieren", {}).status_code == 302
    demo.session.refresh(product)
    assert product.is_archived
    assert producer_client.get(f"/produkte/{product.id}").status_code == 404
    assert producer_client.get(f"/api/v1/products/{product.id}").status_code == 404
    assert product.name not in producer_client.get("/me/producer/products").get_data(as_text=True)
    assert product.name in producer_client.get("/me/producer/products?archiviert=1").get_data(as_text=True)
    assert producer_client.get(url).status_code == 404  # an archived product is not edited


def test_another_producers_product_is_not_found_and_unchanged(producer_client, demo):
    other = _someone_elses(demo)
    before = (other.name, other.price_cents, other.is_active, other.archived_at)
    url = f"/me/producer/products/{other.id}"
    assert producer_client.get(url).status_code == 404
    assert _post(producer_client, url, _form(demo, price="0,01")).status_code == 404
    assert _post(producer_client, f"{url}/pausieren", {"aktiv": "0"}).status_code == 404
    assert _post(producer_client, f"{url}/archivieren", {}).status_code == 404
    demo.session.refresh(other)
    assert (other.name, other.price_cents, other.is_active, other.archived_at) == before


def test_the_pages_are_for_producers_only(client, demo):
    assert client.get("/me/producer/products").status_code == 302  # to the login
    login(client, "resident@example.org")
    assert client.get("/me/producer/products").status_code == 403
    assert client.get(NEW).status_code == 403
