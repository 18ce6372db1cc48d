"""Products, pickup places and delivery days through the API; producers change their own goods."""
from __future__ import annotations

import pytest

from marketplace.accounts.models import Role
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import token_for
from tests.orders.helpers import AFTER_MONDAY_CUTOFF, stocks

PRODUCT_KEYS = {"id", "name", "producer", "unit", "price_cents", "vat_rate", "temperature", "stock", "distance_km"}


def test_products_are_listed_with_distance_and_pages(client, world):
    lat, lon = world.producer_a.place.lat, world.producer_a.place.lon
    response = client.get(f"/api/v1/products?near={lat},{lon}&per_page=2")
    assert response.status_code == 200
    data = response.get_json()
    assert data["total"] == 5 and data["pages"] == 3 and data["page"] == 1
    assert data["total_is_exact"] is True
    assert len(data["items"]) == 2 and PRODUCT_KEYS <= set(data["items"][0])
    first = data["items"][0]
    assert first["producer"] == {"id": world.producer_a.id, "name": world.producer_a.name}
    assert first["distance_km"] == 0.0
    names = {i["name"] for p in (1, 2, 3)
             for i in client.get(f"/api/v1/products?per_page=2&page={p}").get_json()["items"]}
    assert names == {"Bauernbrot", "Vollmilch", "Riesling", "Streuselkuchen", "Eiscreme"}


def test_a_capped_count_says_it_is_a_lower_bound(client, world, monkeypatch):
    from marketplace.catalog import queries

    for n in range(6):
        f.make_product(world.producer_a, name=f"Ware {n}")
    db.session.commit()
    # Counting stops a little past what the page needs, per producer (the cap is 2 here).
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    data = client.get("/api/v1/products?per_page=2&page=1").get_json()
    assert data["total_is_exact"] is False and 2 <= data["total"] < 11
    assert len(data["items"]) == 2 and data["pages"] >= 1
    monkeypatch.setattr(queries, "COUNT_CAP", 1000)
    exact = client.get("/api/v1/products?per_page=2&page=1").get_json()
    assert exact["total_is_exact"] is True and exact["total"] == 11


def test_products_can_be_searched_and_filtered(client, world):
    found = client.get("/api/v1/products?q=milch").get_json()
    assert [i["id"] for i in found["items"]] == [world.milk.id]
    assert client.get("/api/v1/products?q=%25").get_json()["total"] == 0  # % is literal
    category = world.bread.category.slug
    assert [i["id"] for i in client.get(f"/api/v1/products?category={category}").get_json()["items"]] == [world.bread.id]
    chilled = client.get("/api/v1/products?temperature=chilled").get_json()
    assert [i["id"] for i in chilled["items"]] == [world.milk.id]
    far = client.get("/api/v1/products?near=52.52,13.40&radius_km=10").get_json()
    assert far["total"] == 0


@pytest.mark.parametrize("query", [
    "per_page=101", "per_page=abc", "page=1.5", "near=abc", "near=91,7", "near=50",
    "radius_km=5", "near=50,7&radius_km=-1", "near=50,7&radius_km=nan", "temperature=hot",
    "organic=maybe", "q=" + "x" * 101,
])
def test_bad_catalogue_queries_get_422(client, world, query):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 422, query
    assert response.get_json()["error"] == "invalid_input"


def test_one_product_and_a_missing_one(client, world):
    data = client.get(f"/api/v1/products/{world.bread.id}").get_json()
    assert data["name"] == "Bauernbrot" and data["stock_state"] == "in_stock" and data["stock"] == 20
    assert client.get("/api/v1/products/999999").status_code == 404
    world.wine.is_active = False
    db.session.commit()
    assert client.get(f"/api/v1/products/{world.wine.id}").status_code == 404


def test_pickup_places_default_to_the_residents_sub_region(client, auth, world):
    mine = client.get("/api/v1/pickup-places", headers=auth).get_json()["items"]
    ids = {p["id"] for p in mine}
    assert world.station.id in ids and world.other_station.id not in ids
    station = next(p for p in mine if p["id"] == world.station.id)
    assert station["kind"] == "station" and station["chilled"] is True
    assert station["sub_region"] == world.sub_region.slug and station["distance_km"] is not None
    ambient = next(p for p in mine if p["id"] == world.sales_point.id)
    assert ambient["kind"] == "sales_point" and ambient["chilled"] is False
    other = client.get(f"/api/v1/pickup-places?sub_region={world.other_sub_region.slug}").get_json()["items"]
    assert [p["id"] for p in other] == [world.other_station.id]
    assert len(client.get("/api/v1/pickup-places").get_json()["items"]) == 5
    assert client.get("/api/v1/pickup-places?sub_region=nowhere").status_code == 422


def test_delivery_days_are_the_residents_next_days_soonest_first(client, auth, world, clock):
    items = client.get("/api/v1/delivery-days", headers=auth).get_json()["items"]
    assert items[0] == {"date": "2026-03-03", "cutoff_at": "2026-03-02T17:00:00Z"}
    assert items[1]["date"] == "2026-03-06"
    clock.now = AFTER_MONDAY_CUTOFF
    assert client.get("/api/v1/delivery-days", headers=auth).get_json()["items"][0]["date"] == "2026-03-06"


@pytest.fixture
def producer_auth(client, world):
    user = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    db.session.commit()
    return {"Authorization": f"Bearer {token_for(client, user.email)}"}


def test_a_producer_changes_stock_price_and_activity_of_an_own_product(client, producer_auth, world):
    response = client.patch(f"/api/v1/products/{world.bread.id}", headers=producer_auth,
                            json={"stock": 7, "price_cents": 499, "is_active": True})
    assert response.status_code == 200
    assert (response.get_json()["stock"], response.get_json()["price_cents"]) == (7, 499)
    assert client.patch(f"/api/v1/products/{world.bread.id}", headers=producer_auth,
                        json={"stock": None}).get_json()["stock"] is None
    assert client.patch(f"/api/v1/products/{world.bread.id}", headers=producer_auth,
                        json={"is_active": False}).get_json()["is_active"] is False


@pytest.mark.parametrize("body", [
    {"stock": -1}, {"stock": 1.5}, {"stock": "5"}, {"stock": True}, {"stock": 10**12},
    {"price_cents": -5}, {"price_cents": 2.5}, {"price_cents": None}, {"is_active": "yes"},
    {"is_active": 1}, {"name": "Neu"}, {},
])
def test_bad_product_changes_get_422_and_change_nothing(client, producer_auth, world, body):
    response = client.patch(f"/api/v1/products/{world.bread.id}", headers=producer_auth, json=body)
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"
    db.session.expire_all()
    assert (world.bread.stock, world.bread.price_cents, world.bread.is_active) == (20, 450, True)


def test_another_producers_product_is_404_and_a_resident_gets_403(client, producer_auth, auth, world):
    response = client.patch(f"/api/v1/products/{world.milk.id}", headers=producer_auth, json={"stock": 0})
    assert response.status_code == 404
    response = client.patch(f"/api/v1/products/{world.bread.id}", headers=auth, json={"stock": 0})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert stocks(world.milk, world.bread) == {world.milk.id: 10, world.bread.id: 20}
