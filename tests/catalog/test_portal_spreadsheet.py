"""The portal's spreadsheet pages: download, upload with a preview, confirm; other producers' files."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Producer, Product
from marketplace.catalog.spreadsheet import HEADER
from tests.conftest import csrf_token_from, login

IMPORT = "/me/producer/products/import"


@pytest.fixture
def producer_client(client, demo, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    login(client, "producer@example.org")
    return client


def _mine(db) -> Producer:
    return db.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()


def _rows(n: int, bad: dict[int, str] | None = None) -> bytes:
    lines = [";".join(HEADER)]
    for i in range(n):
        price = (bad or {}).get(i, "1,99")
        lines.append(f"IMP-{i};Importware {i};Obst & Gemüse;kg;{price};7;ungekühlt;0,2;{i};ja;")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Product).where(Product.name.like("Importware%")))


def _upload(client, data: bytes, name="katalog.csv"):
    token = csrf_token_from(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "datei": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_download_is_the_german_csv_of_own_products(producer_client, demo):
    response = producer_client.get("/me/producer/products/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff" + ";".join(HEADER) + "\r\n")
    mine = demo.session.scalars(select(Product.name).where(Product.producer_id == _mine(demo).id)).all()
    others = demo.session.scalars(select(Product.name).where(Product.producer_id != _mine(demo).id)).all()
    assert all(name in text for name in mine)
    assert not any(f";{name};" in text for name in others if name not in mine)


def test_fifty_products_with_two_bad_rows_then_fixed(producer_client, demo):
    response = _upload(producer_client, _rows(50, bad={6: "abc", 40: "2,505"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td>', html)
    assert cells == [("8", "Preis"), ("42", "Preis")]
    assert "nichts wurde geschrieben" in html and "Jetzt importieren" not in html
    assert _count(demo) == 0

    response = _upload(producer_client, _rows(50))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Jetzt importieren" in html
    assert _count(demo) == 0  # the preview writes nothing
    datei_id = re.search(r'name="datei_id"[^>]*value="([0-9a-f]{32})"', html).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = producer_client.post(f"{IMPORT}/bestaetigen", data={"csrf_token": token, "datei_id": datei_id})
    assert response.status_code == 302
    assert _count(demo) == 50
    follow = producer_client.get("/me/producer/products").get_data(as_text=True)
    assert "Import abgeschlossen: 50 neu, 0 geändert, 0 unverändert." in follow
    # The confirmed file is gone: confirming twice finds nothing.
    again = producer_client.post(f"{IMPORT}/bestaetigen", data={"csrf_token": token, "datei_id": datei_id})
    assert again.status_code == 404


def test_a_tab_delimited_file_is_a_form_error(producer_client, demo):
    response = _upload(producer_client, "\t".join(HEADER).encode() + b"\r\nA\tB\r\n")
    assert response.status_code == 422 and "Tabulatoren" in response.get_data(as_text=True)


def test_another_producers_checked_file_cannot_be_confirmed(client, demo, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path))
    other = demo.session.scalars(select(Producer).where(Producer.name != "Hofladen Schmitz")).first()
    (tmp_path / "imports").mkdir()
    datei_id = "a" * 32
    (tmp_path / "imports" / f"{other.id}-{datei_id}.csv").write_bytes(_rows(3))
    login(client, "producer@example.org")
    token = csrf_token_from(client, IMPORT)
    response = client.post(f"{IMPORT}/bestaetigen", data={"csrf_token": token, "datei_id": datei_id})
    assert response.status_code == 404 and _count(demo) == 0
    bad = client.post(f"{IMPORT}/bestaetigen", data={"csrf_token": token, "datei_id": "../../x"})
    assert bad.status_code == 404


def test_the_demo_producers_download_imports_back_unchanged(producer_client, demo):
    data = producer_client.get("/me/producer/products/export.csv").data
    response = _upload(producer_client, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    mine = demo.session.scalar(select(func.count()).select_from(Product).where(Product.producer_id == _mine(demo).id))
    assert f"<li><strong>{mine}</strong>unverändert</li>" in html.replace("\n", "").replace("  ", "")


def test_the_excel_download_and_upload(producer_client, demo):
    response = producer_client.get("/me/producer/products/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    preview = _upload(producer_client, response.data, name="katalog.xlsx")
    assert preview.status_code == 200 and "Jetzt importieren" in preview.get_data(as_text=True)
