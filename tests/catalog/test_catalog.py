"""The catalogue: filters, literal search, pagination across producers, nearest producer first."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from marketplace.catalog.models import Temperature, Unit
from marketplace.catalog.queries import CatalogFilter, escape_like, list_catalog
from marketplace.extensions import db as _db
from tests.factories import (
    make_category,
    make_municipality,
    make_place,
    make_producer,
    make_product,
    make_sub_region,
)

HOME = (50.30, 7.20)


@pytest.fixture
def world(db):
    sub = make_sub_region()
    muni = make_municipality(sub)
    near = make_producer(make_place(muni, lat=50.31, lon=7.21), name="Nahhof")
    middle = make_producer(make_place(muni, lat=50.40, lon=7.30), name="Mittelhof")
    far = make_producer(make_place(muni, lat=50.70, lon=7.60), name="Fernhof")
    hidden = make_producer(make_place(muni, lat=50.30, lon=7.20), name="Nicht freigegeben", is_approved=False)
    veg, milk = make_category(slug="gemuese"), make_category(slug="milch")
    products = {
        "far_apple": make_product(far, veg, name="Apfel"),
        "mid_cheese": make_product(middle, milk, name="Käse", temperature=Temperature.CHILLED),
        "near_carrot": make_product(near, veg, name="Möhren", is_organic=True),
        "near_milk": make_product(near, milk, name="Milch", temperature=Temperature.CHILLED),
        "near_inactive": make_product(near, veg, name="Alte Rübe", is_active=False),
        "hidden": make_product(hidden, veg, name="Geheimtipp"),
        "percent": make_product(middle, veg, name="100% Saft"),
        "under": make_product(middle, veg, name="Saft_1"),
        "quote": make_product(middle, veg, name="Bauer's Brot"),
        "plain": make_product(middle, veg, name="Saft X1"),
    }
    _db.session.commit()
    return {"near": near, "middle": middle, "far": far, **products}


def names(page):
    return [item.product.name for item in page.items]


def test_only_active_products_of_approved_producers(world):
    page = list_catalog(CatalogFilter(), page=1, per_page=50)
    assert "Alte Rübe" not in names(page) and "Geheimtipp" not in names(page)
    assert page.total == 8 and page.pages == 1 and page.total_is_exact


def test_nearest_producer_first_then_name(world):
    page = list_catalog(CatalogFilter(near=HOME), page=1, per_page=50)
    assert names(page)[:2] == ["Milch", "Möhren"]
    assert names(page)[-1] == "Apfel"
    distances = [item.distance_km for item in page.items]
    assert distances == sorted(distances) and distances[0] < 2


def test_radius_leaves_far_producers_out(world):
    page = list_catalog(CatalogFilter(near=HOME, radius_km=20), page=1, per_page=50)
    assert "Apfel" not in names(page) and "Käse" in names(page)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CatalogFilter(category_slug="milch"), {"Käse", "Milch"}),
        (CatalogFilter(category_slug="gibt-es-nicht"), set()),
        (CatalogFilter(temperature=Temperature.CHILLED), {"Käse", "Milch"}),
        (CatalogFilter(organic=True), {"Möhren"}),
        (CatalogFilter(q="möhren"), {"Möhren"}),
        (CatalogFilter(q="%"), {"100% Saft"}),
        (CatalogFilter(q="_"), {"Saft_1"}),
        (CatalogFilter(q="t_1"), {"Saft_1"}),
        (CatalogFilter(q="'"), {"Bauer's Brot"}),
        (CatalogFilter(q="\\"), set()),
        (CatalogFilter(q="100%"), {"100% Saft"}),
    ],
)
def test_filters_and_literal_search(world, filters, expected):
    assert set(names(list_catalog(filters, page=1, per_page=50))) == expected


def test_filter_by_producer(world):
    page = list_catalog(CatalogFilter(producer_id=world["near"].id), page=1, per_page=50)
    assert set(names(page)) == {"Milch", "Möhren"}


def test_escape_like_makes_wildcards_literal():
    assert escape_like("100%_a\\b") == "100\\%\\_a\\\\b"


def test_pages_cut_across_producers(world):
    seen = []
    for number in (1, 2, 3):
        page = list_catalog(CatalogFilter(near=HOME), page=number, per_page=3)
        assert page.pages == 3 and page.total == 8
        seen += names(page)
    assert seen == names(list_catalog(CatalogFilter(near=HOME), page=1, per_page=50))
    assert list_catalog(CatalogFilter(near=HOME), page=4, per_page=3).items == []


def test_count_stops_at_the_cap(db, monkeypatch):
    from marketplace.catalog import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 5)
    producer = make_producer()
    for i in range(12):
        make_product(producer, name=f"Ware {i:02d}")
    page = list_catalog(CatalogFilter(), page=1, per_page=3)
    assert not page.total_is_exact and page.total >= 5 and page.has_next
    assert names(page) == ["Ware 00", "Ware 01", "Ware 02"]
    deep = list_catalog(CatalogFilter(), page=4, per_page=3)
    assert names(deep) == ["Ware 09", "Ware 10", "Ware 11"]


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        # Transaction control (SQLite's BEGIN IMMEDIATE) is not a query of the page.
        if statement.lstrip().split(" ", 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            self.count += 1


def test_catalogue_page_issues_a_fixed_number_of_queries(client, db):
    category = make_category()
    producers = [make_producer() for _ in range(4)]
    for i in range(60):
        make_product(producers[i % 4], category, name=f"Ware {i:02d}", unit=Unit.KG)
    db.session.commit()
    counts = []
    for size in (5, 24, 60):
        client.application.config["CATALOG_PAGE_SIZE"] = size
        with QueryCounter(db.engine) as counter:
            response = client.get("/produkte?seite=1")
        assert response.status_code == 200
        counts.append(counter.count)
    client.application.config["CATALOG_PAGE_SIZE"] = 24
    assert len(set(counts)) == 1, counts
    assert counts[0] <= 8  # 8th: the region's name and logo in the header (region set-up)
