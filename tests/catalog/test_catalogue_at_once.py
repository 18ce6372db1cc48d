"""Every write of the producer's portal and API shows in the public catalogue on the very next
request, with the page cache on: each one raises the catalogue's version in its transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.models import Product
from marketplace.catalog.spreadsheet import HEADER
from marketplace.extensions import db
from marketplace.web.page_cache import clear_page_cache
from tests import factories as f
from tests.api.conftest import token_for
from tests.catalog.photo_files import image_bytes
from tests.conftest import NOW, csrf_token_from, login

API = "/api/v1/producer"


@pytest.fixture
def cached(app, client, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 60)
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", lambda: NOW)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    clear_page_cache()
    yield
    clear_page_cache()


@pytest.fixture
def shop(db, cached, client):
    producer = f.make_producer()
    category = f.make_category(slug="obst")
    product = f.make_product(producer, category, name="Äpfel Boskoop", article_number="A1", price_cents=300, stock=9)
    user = f.make_user(role=Role.PRODUCER, scope_id=producer.id)
    db.session.commit()
    return {"product_id": product.id, "auth": {"Authorization": f"Bearer {token_for(client, user.email)}"}}


def _public(client, product_id):
    return client.get(f"/api/v1/products/{product_id}")


def _anonymous_get(app, url):
    return app.test_client().get(url)  # a client of its own: no token, no session cookie


@pytest.mark.parametrize("write", ["patch", "stock", "import", "photo", "archive", "old_patch"])
def test_a_producer_api_write_shows_in_the_anonymous_product_api_at_once(app, client, shop, write):
    product_id, auth = shop["product_id"], shop["auth"]
    url = f"/api/v1/products/{product_id}"
    first = _anonymous_get(app, url)
    assert first.status_code == 200 and first.get_json()["price_cents"] == 300
    assert _anonymous_get(app, url).get_json()["price_cents"] == 300  # from the cache now
    if write == "patch":
        assert client.patch(f"{API}/products/{product_id}", headers=auth, json={"price_cents": 350}).status_code == 200
        assert _anonymous_get(app, url).get_json()["price_cents"] == 350
    elif write == "old_patch":
        assert client.patch(url, headers=auth, json={"price_cents": 350}).status_code == 200
        assert _anonymous_get(app, url).get_json()["price_cents"] == 350
    elif write == "stock":
        body = {"items": [{"article_number": "A1", "stock": 2}]}
        assert client.post(f"{API}/stock", headers=auth, json=body).status_code == 200
        assert _anonymous_get(app, url).get_json()["stock"] == 2
    elif write == "import":
        data = (";".join(HEADER) + "\r\nA1;Äpfel Boskoop;obst;Stück;3,80;7;;;9;ja;\r\n").encode()
        response = client.post(f"{API}/products/import", headers=auth, data=data, content_type="text/csv")
        assert response.status_code == 200, response.get_json()
        assert _anonymous_get(app, url).get_json()["price_cents"] == 380
    elif write == "photo":
        response = client.put(f"{url.replace('/products', '/producer/products')}/photo", headers=auth,
                              data=image_bytes(), content_type="image/jpeg")
        assert response.status_code == 200
        key = db.session.scalar(select(Product.photo_key).where(Product.id == product_id))
        assert key in _anonymous_get(app, f"/produkte/{product_id}").get_data(as_text=True)
    elif write == "archive":
        assert client.delete(f"{API}/products/{product_id}", headers=auth).status_code == 200
        assert _anonymous_get(app, url).status_code == 404


def test_a_portal_edit_shows_in_the_anonymous_catalogue_at_once(app, client, demo, cached):
    product = demo.session.scalars(select(Product).where(Product.name == "Möhren")).one()
    page = f"/produkte/{product.id}"
    assert "Möhren" in _anonymous_get(app, page).get_data(as_text=True)
    login(client, "producer@example.org")
    url = f"/me/producer/products/{product.id}"
    token = csrf_token_from(client, url)
    response = client.post(f"{url}/pausieren", data={"csrf_token": token, "aktiv": "0"})
    assert response.status_code == 302
    assert _anonymous_get(app, page).status_code == 404
