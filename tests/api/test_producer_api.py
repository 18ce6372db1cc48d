"""/api/v1/producer: own catalogue, photos, stock sync and spreadsheets; other producers' products are 404."""
from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role
from marketplace.catalog import photos
from marketplace.catalog.models import Product
from marketplace.catalog.spreadsheet import HEADER
from marketplace.extensions import db
from tests import factories as f
from tests.api.conftest import token_for
from tests.catalog.photo_files import image_bytes, png_declaring

API = "/api/v1/producer"


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def category(world):
    category = f.make_category(slug="brot", name="Brot & Backwaren")
    db.session.commit()
    return category


@pytest.fixture
def producer_auth(client, world, category):
    user = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    world.bread.article_number, world.cake.article_number = "BROT-1", "KUCHEN-1"
    world.milk.article_number = "MILCH-1"  # producer B's
    db.session.commit()
    return {"Authorization": f"Bearer {token_for(client, user.email)}"}


def _new(**changes) -> dict:
    return {"name": "Dinkelbrot", "article_number": "DINKEL", "category": "brot", "unit": "piece",
            "price_cents": 520, "vat_rate": 7, "temperature": "ambient", "crate_units": 0.25,
            "stock": 8, "description": "Mit Sauerteig", **changes}


def _snapshot(product: Product) -> tuple:
    db.session.expire_all()
    return (product.name, product.price_cents, product.stock, product.is_active, product.archived_at,
            product.photo_key)


def test_list_own_products_with_article_numbers_paged(client, producer_auth, world):
    body = client.get(f"{API}/products?per_page=1", headers=producer_auth).get_json()
    assert (body["total"], body["pages"], body["per_page"]) == (2, 2, 1)
    page2 = client.get(f"{API}/products?per_page=1&page=2", headers=producer_auth).get_json()
    names = [body["items"][0]["name"], page2["items"][0]["name"]]
    assert names == ["Bauernbrot", "Streuselkuchen"]
    item = body["items"][0]
    assert (item["article_number"], item["is_active"], item["price_cents"], item["stock"]) == ("BROT-1", True, 450, 20)
    assert {"unit", "vat_rate", "temperature", "stock_state", "category", "producer", "photo"} <= set(item)


def test_create_change_and_archive_a_product(client, producer_auth, world):
    response = client.post(f"{API}/products", headers=producer_auth, json=_new())
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert (created["article_number"], created["category"]["slug"], created["crate_units"]) == ("DINKEL", "brot", 0.25)
    product_id = created["id"]
    assert client.get(f"/api/v1/products/{product_id}").status_code == 200

    changed = client.patch(f"{API}/products/{product_id}", headers=producer_auth,
                           json={"price_cents": 550, "stock": None, "weekdays": [2, 5], "min_quantity": 2})
    assert changed.status_code == 200
    assert (changed.get_json()["price_cents"], changed.get_json()["stock"], changed.get_json()["weekdays"]) == (550, None, [2, 5])

    archived = client.delete(f"{API}/products/{product_id}", headers=producer_auth)
    assert archived.status_code == 200 and archived.get_json()["archived_at"] and not archived.get_json()["is_active"]
    assert client.get(f"/api/v1/products/{product_id}").status_code == 404
    listed = client.get(f"{API}/products", headers=producer_auth).get_json()["items"]
    assert product_id not in [i["id"] for i in listed]
    with_archived = client.get(f"{API}/products?archived=true", headers=producer_auth).get_json()["items"]
    assert product_id in [i["id"] for i in with_archived]
    again = client.patch(f"{API}/products/{product_id}", headers=producer_auth, json={"is_active": True})
    assert again.status_code == 409 and again.get_json()["error"] == "product_archived"
    old_api = client.patch(f"/api/v1/products/{product_id}", headers=producer_auth, json={"is_active": True})
    assert old_api.status_code == 409


@pytest.mark.parametrize(("body", "field"), [
    ({"vat_rate": 16}, "vat_rate"), ({"price_cents": -1}, "price_cents"), ({"price_cents": "2,50"}, "price_cents"),
    ({"price_cents": 2.505}, "price_cents"), ({"stock": -3}, "stock"), ({"category": "gibtsnicht"}, "category"),
    ({"unit": ["kg"]}, "unit"), ({"crate_units": "viel"}, "crate_units"), ({"farbe": "rot"}, "farbe"),
    ({"article_number": "BROT-1"}, "article_number"), ({"weekdays": [0]}, "weekdays"),
    ({"season_start": "2026-06-01", "season_end": "2026-05-01"}, "season_end"),
])
def test_bad_new_products_get_422_and_nothing_is_written(client, producer_auth, world, body, field):
    before = db.session.scalar(select(func.count()).select_from(Product))
    response = client.post(f"{API}/products", headers=producer_auth, json=_new(**body))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["error"] == "invalid_input" and problem["detail"]
    assert problem.get("field", field) == field
    assert db.session.scalar(select(func.count()).select_from(Product)) == before


def test_another_producers_product_is_404_everywhere_and_unchanged(client, producer_auth, world, upload_dir):
    milk = world.milk
    before = _snapshot(milk)
    url = f"{API}/products/{milk.id}"
    assert client.patch(url, headers=producer_auth, json={"price_cents": 1}).status_code == 404
    assert client.delete(url, headers=producer_auth).status_code == 404
    assert client.put(f"{url}/photo", headers=producer_auth, data=image_bytes(),
                      content_type="image/jpeg").status_code == 404
    assert client.patch(f"/api/v1/products/{milk.id}", headers=producer_auth, json={"stock": 0}).status_code == 404
    assert client.patch(f"{API}/products/999999", headers=producer_auth, json={"stock": 0}).status_code == 404
    stock = client.post(f"{API}/stock", headers=producer_auth,
                        json={"items": [{"article_number": "MILCH-1", "stock": 0}]})
    assert stock.status_code == 422
    assert stock.get_json()["items"] == [{"article_number": "MILCH-1", "error": "unknown_article_number"}]
    csv = client.get(f"{API}/products.csv", headers=producer_auth).get_data(as_text=True)
    assert "Vollmilch" not in csv and "Bauernbrot" in csv
    listed = client.get(f"{API}/products?archived=true", headers=producer_auth).get_json()["items"]
    assert milk.id not in [i["id"] for i in listed]
    assert _snapshot(milk) == before
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_residents_and_anonymous_callers_are_refused(client, auth, world):
    assert client.get(f"{API}/products", headers=auth).status_code == 403
    assert client.post(f"{API}/stock", headers=auth, json={"items": []}).status_code == 403
    assert client.get(f"{API}/products").status_code == 401


def test_a_photo_as_body_or_multipart_returns_its_urls(client, producer_auth, world, upload_dir):
    url = f"{API}/products/{world.bread.id}/photo"
    response = client.put(url, headers=producer_auth, data=image_bytes(), content_type="image/jpeg")
    assert response.status_code == 200, response.get_json()
    urls = response.get_json()["photo"]
    assert set(urls) == {str(w) for w in photos.WIDTHS} and urls["480"].endswith("-480.webp")
    assert client.get(urls["160"].replace("http://localhost", "")).status_code == 200
    first = world.bread.photo_key
    multipart = client.put(url, headers=producer_auth, content_type="multipart/form-data",
                           data={"file": (BytesIO(image_bytes("PNG")), "brot.png")})
    assert multipart.status_code == 200
    db.session.expire_all()
    assert world.bread.photo_key != first
    assert sorted(p.name for p in upload_dir.iterdir()) == sorted(
        photos.file_name(world.bread.photo_key, w) for w in photos.WIDTHS)  # the old files are gone


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"kein bild", 422, "invalid_photo"),
    (png_declaring(50_000, 50_000), 422, "photo_too_many_pixels"),
    (b"\xff" * (12 * 1024 * 1024), 413, "request_entity_too_large"),
    (b"\xff" * (10 * 1024 * 1024 + 1), 413, "photo_too_large"),
])
def test_bad_photos_are_refused_and_nothing_is_stored(client, producer_auth, world, upload_dir, data, status, code):
    response = client.put(f"{API}/products/{world.bread.id}/photo", headers=producer_auth, data=data,
                          content_type="image/png")
    assert response.status_code == status and response.get_json()["error"] == code
    db.session.expire_all()
    assert world.bread.photo_key is None
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_stock_sync_is_all_or_nothing(client, producer_auth, world):
    bad = client.post(f"{API}/stock", headers=producer_auth, json={"items": [
        {"article_number": "BROT-1", "stock": 12}, {"article_number": "KUCHEN-1", "stock": -3},
        {"article_number": "GIBTSNICHT", "stock": 1}]})
    assert bad.status_code == 422
    problem = bad.get_json()
    assert problem["error"] == "invalid_items" and problem["detail"]
    assert problem["items"] == [{"article_number": "KUCHEN-1", "error": "invalid_stock"},
                                {"article_number": "GIBTSNICHT", "error": "unknown_article_number"}]
    db.session.expire_all()
    assert (world.bread.stock, world.cake.stock) == (20, None)
    good = client.post(f"{API}/stock", headers=producer_auth, json={"items": [
        {"article_number": "BROT-1", "stock": 12}, {"article_number": "KUCHEN-1", "stock": 3}]})
    assert good.status_code == 200
    db.session.expire_all()
    assert (world.bread.stock, world.cake.stock) == (12, 3)
    assert client.post(f"{API}/stock", headers=producer_auth, json={"items": "x"}).status_code == 422


def _csv(*rows: str) -> bytes:
    return ("\ufeff" + "\r\n".join([";".join(HEADER), *rows]) + "\r\n").encode()


GOOD = ("BROT-1;Bauernbrot;Brot & Backwaren;Stück;4,80;7;ungekühlt;0,1;20;ja;",
        "NEU-1;Roggenbrot;brot;Stück;3,90;7;ungekühlt;0,1;;ja;")


def test_import_dry_run_always_answers_200_and_writes_nothing(client, producer_auth, world):
    response = client.post(f"{API}/products/import?dry_run=true", headers=producer_auth, data=_csv(*GOOD),
                           content_type="text/csv")
    assert response.status_code == 200
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 0, "errors": []}
    bad = client.post(f"{API}/products/import?dry_run=true", headers=producer_auth,
                      data=_csv(GOOD[0], "NEU-1;Roggenbrot;Unbekannt;Stück;3,90;7;;;-3;ja;"), content_type="text/csv")
    assert bad.status_code == 200
    assert [(e["row"], e["column"]) for e in bad.get_json()["errors"]] == [(3, "Kategorie"), (3, "Bestand")]
    tab = client.post(f"{API}/products/import?dry_run=true", headers=producer_auth,
                      data="\t".join(HEADER).encode(), content_type="text/csv")
    assert tab.status_code == 200 and tab.get_json()["errors"][0]["row"] == 1
    db.session.expire_all()
    assert world.bread.price_cents == 450
    assert db.session.scalars(select(Product).where(Product.article_number == "NEU-1")).all() == []


def test_import_writes_all_rows_or_none(client, producer_auth, world):
    bad = client.post(f"{API}/products/import", headers=producer_auth, content_type="multipart/form-data",
                      data={"file": (BytesIO(_csv(GOOD[0], GOOD[1], "NEU-1;Doppelt;brot;Stück;1,00;7;;;;ja;")), "k.csv")})
    assert bad.status_code == 422
    assert bad.get_json()["error"] == "invalid_rows"
    assert bad.get_json()["errors"] == [{"row": 4, "column": "Artikelnummer",
                                         "error": "Diese Artikelnummer steht schon weiter oben in der Datei."}]
    db.session.expire_all()
    assert world.bread.price_cents == 450
    header = ";".join(h for h in HEADER if h != "Preis")
    no_price = client.post(f"{API}/products/import", headers=producer_auth, content_type="text/csv",
                           data=f"{header}\r\nX;Y;brot;Stück;7;;;;ja;\r\n".encode())
    assert no_price.status_code == 422 and no_price.get_json()["errors"][0] == {
        "row": 1, "column": "Preis", "error": "Diese Spalte fehlt in der Kopfzeile."}
    tab = client.post(f"{API}/products/import", headers=producer_auth, data="\t".join(HEADER).encode(),
                      content_type="text/csv")
    assert tab.status_code == 422 and tab.get_json()["error"] == "invalid_spreadsheet"

    good = client.post(f"{API}/products/import", headers=producer_auth, data=_csv(*GOOD), content_type="text/csv")
    assert good.status_code == 200
    assert good.get_json() == {"created": 1, "updated": 1, "unchanged": 0, "errors": []}
    db.session.expire_all()
    assert world.bread.price_cents == 480
    csv = client.get(f"{API}/products.csv", headers=producer_auth)
    assert csv.mimetype == "text/csv" and "NEU-1;Roggenbrot;Brot & Backwaren;Stück;3,90;7" in csv.get_data(as_text=True)


def test_the_catalogue_as_an_excel_workbook_holds_own_products_only(client, producer_auth, world):
    from openpyxl import load_workbook

    response = client.get(f"{API}/products.xlsx", headers=producer_auth)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == tuple(HEADER)
    assert sorted(r[1] for r in rows[1:]) == ["Bauernbrot", "Streuselkuchen"]
    imported = client.post(f"{API}/products/import?dry_run=true", headers=producer_auth, data=response.data,
                           content_type="application/octet-stream")
    assert imported.get_json() == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}


def test_every_field_set_reads_back_with_the_base_price(client, producer_auth, world):
    body = _new(unit="bottle", unit_volume_ml=750, price_cents=900, weekdays=[5], min_quantity=6,
                quantity_step=6, season_start="2026-09-01", season_end="2027-03-31", stock=None)
    created = client.post(f"{API}/products", headers=producer_auth, json=body)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["unit_volume_ml"], item["unit_weight_g"], item["weekdays"]) == (750, None, [5])
    assert (item["season_start"], item["season_end"]) == ("2026-09-01", "2027-03-31")
    assert (item["min_quantity"], item["quantity_step"], item["stock"]) == (6, 6, None)
    assert item["base_price"] == {"cents": 1200, "per": "l"}  # 9,00 € for 0.75 l
    public = client.get(f"/api/v1/products/{item['id']}").get_json()
    assert public["base_price"] == {"cents": 1200, "per": "l"}
