"""Product photos: checked, re-encoded without metadata, resized, stored outside the code, cached long."""
from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from marketplace.catalog import photos, services
from marketplace.catalog.models import Producer, Product
from tests import factories as f
from tests.catalog.photo_files import image_bytes, png_declaring
from tests.conftest import NOW, csrf_token_from, login


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def _files(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photo_is_stored_in_every_width_as_webp_without_metadata(upload_dir, fmt):
    key = photos.store_photo(image_bytes(fmt, exif=fmt == "JPEG"), upload_dir)
    assert _files(upload_dir) == sorted(photos.file_name(key, w) for w in photos.WIDTHS)
    for width in photos.WIDTHS:
        with Image.open(upload_dir / photos.file_name(key, width)) as stored:
            assert stored.format == "WEBP" and stored.width == width
            assert stored.height == width * 3 // 4
            assert not stored.getexif() and "exif" not in stored.info and "icc_profile" not in stored.info


def test_a_small_photo_is_not_blown_up(upload_dir):
    key = photos.store_photo(image_bytes("PNG", size=(300, 200)), upload_dir)
    with Image.open(upload_dir / photos.file_name(key, 960)) as stored:
        assert stored.size == (300, 200)


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"not an image at all", photos.InvalidPhoto),
     (image_bytes("GIF"), photos.InvalidPhoto),
     (image_bytes("JPEG")[:200], photos.InvalidPhoto),
     (b"", photos.InvalidPhoto),
     (png_declaring(50_000, 50_000), photos.PhotoTooBig),
     (png_declaring(10_000, 6_000), photos.PhotoTooBig),
     (b"\xff" * (12 * 1024 * 1024), photos.PhotoTooLarge)],
    ids=["text", "gif", "truncated-jpeg", "empty", "png-bomb", "png-60-megapixels", "12-mb"],
)
def test_anything_else_is_refused_and_nothing_is_stored(upload_dir, data, error):
    with pytest.raises(error):
        photos.store_photo(data, upload_dir)
    assert _files(upload_dir) == []


def test_a_new_photo_replaces_the_old_and_archived_products_refuse(db, upload_dir):
    product = f.make_product()
    assert services.set_product_photo(product=product, data=image_bytes(), upload_dir=upload_dir, now=NOW) is None
    first = product.photo_key
    replaced = services.set_product_photo(product=product, data=image_bytes("PNG"), upload_dir=upload_dir, now=NOW)
    assert replaced == first and product.photo_key != first
    services.archive_product(product=product, now=NOW)
    with pytest.raises(services.ProductArchived):
        services.set_product_photo(product=product, data=image_bytes(), upload_dir=upload_dir, now=NOW)


def test_photos_are_served_with_long_cache_headers(client, db, upload_dir):
    key = photos.store_photo(image_bytes(), upload_dir)
    response = client.get(f"/fotos/{photos.file_name(key, 480)}")
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert Image.open(BytesIO(response.data)).width == 480
    for name in (f"{key}-123.webp", "../config.py", f"{key}-480.png", "x" * 32 + "-480.webp"):
        assert client.get(f"/fotos/{name}").status_code == 404


def _form(db, **changes) -> dict:
    from marketplace.catalog.models import Category

    category = db.session.scalars(select(Category).order_by(Category.id)).first()
    return {
        "name": "Bauernbrot mit Foto", "category_id": str(category.id), "unit": "piece", "price": "4,20",
        "vat_rate": "7", "temperature": "ambient", "crate_units": "0,2", "min_quantity": "1",
        "quantity_step": "1", "weekdays": ["2", "5"], "is_active": "y", **changes,
    }


def test_a_producer_adds_a_product_with_a_photo_and_the_catalogue_shows_it(client, demo, upload_dir):
    login(client, "producer@example.org")
    token = csrf_token_from(client, "/me/producer/products/neu")
    response = client.post("/me/producer/products/neu", data={
        **_form(demo), "csrf_token": token, "photo": (BytesIO(image_bytes()), "brot.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    product = demo.session.scalars(select(Product).where(Product.name == "Bauernbrot mit Foto")).one()
    assert product.photo_key and len(_files(upload_dir)) == len(photos.WIDTHS)
    html = client.get("/produkte?q=Bauernbrot+mit+Foto").get_data(as_text=True)
    assert f'srcset="/fotos/{product.photo_key}-160.webp 160w, /fotos/{product.photo_key}-480.webp 480w' in html
    assert 'alt="Bauernbrot mit Foto"' in html
    page = client.get(f"/produkte/{product.id}").get_data(as_text=True)
    assert f"/fotos/{product.photo_key}-960.webp" in page


def test_a_product_without_photo_shows_the_placeholder(client, demo):
    product = demo.session.scalars(select(Product).where(Product.photo_key.is_(None))).first()
    html = client.get(f"/produkte/{product.id}").get_data(as_text=True)
    assert "product-photo placeholder" in html and f"Noch kein Foto von {product.name}" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"GIF89a nothing", "JPEG, PNG oder WebP"), (png_declaring(50_000, 50_000), "zu viele Bildpunkte")],
)
def test_a_bad_photo_is_a_form_error_and_nothing_is_written(client, demo, upload_dir, data, message):
    login(client, "producer@example.org")
    before = demo.session.scalar(select(Product.id).order_by(Product.id.desc()).limit(1))
    token = csrf_token_from(client, "/me/producer/products/neu")
    response = client.post("/me/producer/products/neu", data={
        **_form(demo), "csrf_token": token, "photo": (BytesIO(data), "foto.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert demo.session.scalar(select(Product.id).order_by(Product.id.desc()).limit(1)) == before
    assert _files(upload_dir) == []


def test_a_12_mb_photo_is_refused_with_413(client, demo, upload_dir):
    login(client, "producer@example.org")
    token = csrf_token_from(client, "/me/producer/products/neu")
    response = client.post("/me/producer/products/neu", data={
        **_form(demo), "csrf_token": token, "photo": (BytesIO(b"\xff" * (12 * 1024 * 1024)), "gross.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 413 and "zu groß" in response.get_data(as_text=True)
    assert _files(upload_dir) == []
    mine = demo.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()
    assert not demo.session.scalars(select(Product).where(
        Product.producer_id == mine.id, Product.name == "Bauernbrot mit Foto")).all()
