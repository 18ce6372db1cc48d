"""Name search through the trigram index: in step with the products, literal, and really used."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from marketplace.catalog import search
from marketplace.catalog.models import Product
from marketplace.catalog.queries import CatalogFilter, list_catalog
from tests.factories import make_producer, make_product


def found(q: str) -> set[str]:
    return {item.product.name for item in list_catalog(CatalogFilter(q=q), page=1, per_page=100).items}


def fts_ids(db, q: str) -> set[int]:
    statement = search.sqlite_name_hits(q)
    return set(db.session.scalars(statement))


@pytest.fixture
def shelf(db):
    producer = make_producer()
    products = {
        name: make_product(producer, name=name)
        for name in ("Hausgemachte Marmelade", "Erdbeermarmelade", "Bergkäse", "Käse-Sahne-Torte",
                     "100% Apfelsaft", "Saft_aus_Trauben", 'Der "gute" Honig', "Bauer's Bestes")
    }
    db.session.commit()
    return products


def test_search_finds_words_inside_names_whatever_the_case(shelf):
    assert found("marmelade") == {"Hausgemachte Marmelade", "Erdbeermarmelade"}
    assert found("käse") == {"Bergkäse", "Käse-Sahne-Torte"}
    assert found("Sahne-T") == {"Käse-Sahne-Torte"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("0% A", {"100% Apfelsaft"}),
        ("100%", {"100% Apfelsaft"}),
        ("% A", {"100% Apfelsaft"}),
        ("t_a", {"Saft_aus_Trauben"}),
        ("ft_aus", {"Saft_aus_Trauben"}),
        ("f_a", set()),  # "_" is not a wildcard
        ('"gute"', {'Der "gute" Honig'}),
        ('r "g', {'Der "gute" Honig'}),
        ("r's B", {"Bauer's Bestes"}),
        ("' OR 1=1 --", set()),
        ('" OR "', set()),
        ("Marmelade*", set()),  # FTS syntax stays text
        ("NEAR(a b)", set()),
    ],
)
def test_search_is_literal_with_the_index(shelf, q, expected):
    assert found(q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [("ah", {"Käse-Sahne-Torte"}), ("sa", {"Käse-Sahne-Torte", "Saft_aus_Trauben", "100% Apfelsaft"}),
     ("%", {"100% Apfelsaft"}), ("_", {"Saft_aus_Trauben"})],
)
def test_queries_shorter_than_a_trigram_still_search(shelf, q, expected):
    assert search.sqlite_name_hits(q) is None
    assert found(q) == expected


def test_search_follows_insert_rename_and_delete(db, shelf):
    producer = make_producer()
    quince = make_product(producer, name="Quittengelee")
    db.session.commit()
    assert found("Quitten") == {"Quittengelee"}

    quince.name = "Birnengelee"
    db.session.commit()
    assert found("Quitten") == set()
    assert found("Birnen") == {"Birnengelee"}

    db.session.delete(quince)
    db.session.commit()
    assert found("Birnen") == set()
    assert found("gelee") == set()


def test_inactive_products_are_not_found(db, shelf):
    shelf["Bergkäse"].is_active = False
    db.session.commit()
    assert found("käse") == {"Käse-Sahne-Torte"}


def test_changes_made_in_sql_reach_the_index_too(db, shelf):
    # On SQLite triggers keep the FTS table in step, whoever writes the products table.
    sqlite = db.engine.dialect.name == "sqlite"

    def check_index() -> None:
        if sqlite:  # FTS5's own consistency check against its content table
            db.session.execute(text(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('integrity-check')"))

    marmelade = shelf["Hausgemachte Marmelade"]
    if sqlite:
        assert marmelade.id in fts_ids(db, "Marmelade")
    db.session.execute(
        text("UPDATE products SET name = 'Pflaumenmus' WHERE id = :id"), {"id": marmelade.id}
    )
    db.session.commit()
    check_index()
    assert found("Marmelade") == {"Erdbeermarmelade"} and found("Pflaumen") == {"Pflaumenmus"}
    if sqlite:
        assert marmelade.id not in fts_ids(db, "Marmelade") and marmelade.id in fts_ids(db, "Pflaumen")
    db.session.execute(text("DELETE FROM products WHERE id = :id"), {"id": marmelade.id})
    db.session.commit()
    check_index()
    assert found("Pflaumen") == set()


def test_search_uses_the_trigram_index(db, shelf):
    from sqlalchemy import select

    from marketplace.catalog.queries import _name_hits, _product_conditions

    filters = CatalogFilter(q="Marmelade")
    # Only the name conditions: with so few rows the planner may prefer other indexes.
    conditions = _product_conditions(filters)[1:]
    hits = _name_hits(filters)
    if db.engine.dialect.name == "sqlite":
        conditions.append(Product.id.in_(hits))
    else:
        assert hits is None
    statement = select(Product.id).where(*conditions)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "sqlite":
        plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        assert any(f"{search.FTS_TABLE} VIRTUAL TABLE" in row[-1] for row in plan), plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        db.session.rollback()
        assert "ix_products_name_trgm" in plan, plan


@pytest.mark.parametrize("near", [None, (50.30, 7.20)])
def test_few_and_many_search_hits_give_the_same_pages(db, monkeypatch, near):
    from marketplace.catalog import queries
    from tests.factories import make_place

    for i, (lat, lon) in enumerate([(50.7, 7.6), (50.31, 7.21), (50.4, 7.3)]):
        producer = make_producer(make_place(lat=lat, lon=lon), name=f"Hof {i}")
        for j in range(7):
            make_product(producer, name=f"{'Marmelade' if j % 2 else 'Gelee'} {j} von Hof {i}")
    db.session.commit()

    def pages(q):
        result = []
        for number in range(1, 5):
            page = list_catalog(CatalogFilter(q=q, near=near), page=number, per_page=4)
            result.append(page)
        return result

    few = pages("Marmelade")
    assert [len(p.items) for p in few] == [4, 4, 1, 0]
    assert all(p.total == 9 and p.total_is_exact and p.pages == 3 for p in few)
    monkeypatch.setattr(queries, "FEW_SEARCH_HITS", 2)  # the path for many hits
    many = pages("Marmelade")
    assert [[i.product.name for i in p.items] for p in many] == [[i.product.name for i in p.items] for p in few]
    for page in many:
        # "more than N" must be true, and a next page offered while there is one.
        assert page.total < 9 if not page.total_is_exact else page.total == 9
        assert page.has_next == (page.page < 3)


def test_search_folds_the_case_of_umlauts_too(db):
    # SQLite's LIKE folds ASCII letters only; residents type "äpfel" for "Äpfel Boskoop".
    producer = make_producer()
    for name in ("Äpfel Boskoop", "Rapsöl kaltgepresst", "ÜBERRASCHUNGSKISTE", "Honig [Wald]", "Wer? Wie?",
                 "Öko-Käse [Alpen]"):
        make_product(producer, name=name)
    db.session.commit()
    assert found("äpfel") == {"Äpfel Boskoop"}
    assert found("ÄPFEL BOS") == {"Äpfel Boskoop"}
    assert found("RAPSÖL") == {"Rapsöl kaltgepresst"}
    assert found("überraschung") == {"ÜBERRASCHUNGSKISTE"}
    assert found("[wald]") == {"Honig [Wald]"}  # brackets, ? and * stay literal
    assert found("r? w") == {"Wer? Wie?"}
    assert found("w*e") == set()
    assert found("KÄSE [alpen]") == {"Öko-Käse [Alpen]"}  # the same with letters beyond ASCII
    assert found("ö*k") == set() and found("ö?k") == set()


@pytest.mark.sqlite  # PostgreSQL's ILIKE uses its trigram index by itself (test above)
def test_a_search_within_a_category_reads_the_hits_first(db, shelf):
    # Left to itself, SQLite's planner may walk the category's products and ask the trigram
    # table about each one (300 ms among 100,000 products): the hits must come first.
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if search.FTS_TABLE in statement:
            seen.append((statement, parameters))

    category_slug = shelf["Erdbeermarmelade"].category.slug
    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        page = list_catalog(CatalogFilter(q="marmelade", category_slug=category_slug), page=1, per_page=10)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert "Erdbeermarmelade" in {item.product.name for item in page.items}
    assert seen
    for statement, parameters in seen:
        plan = [row[-1] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", parameters).all()]
        scans = [step for step in plan if step.startswith(("SCAN", "SEARCH"))]
        assert scans[0].startswith(f"SCAN {search.FTS_TABLE}"), plan
