"""The catalogue as a German CSV: export, and an import that writes all rows or none."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog import spreadsheet
from marketplace.catalog.models import Product, VatStatus
from tests import factories as f
from tests.conftest import NOW

HEADER = "Artikelnummer;Name;Kategorie;Einheit;Preis;MwSt;Lagerung;Kisten;Bestand;Aktiv;Beschreibung"


@pytest.fixture
def producer(db):
    producer = f.make_producer()
    f.make_category(slug="gemuese", name="Obst & Gemüse")
    f.make_category(slug="eier", name="Eier")
    return producer


def _csv(*rows: str, header: str = HEADER, encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Product))


def _import(producer, data, **kw):
    return spreadsheet.import_catalog(producer=producer, data=data, now=NOW, **kw)


def test_export_is_the_german_spreadsheet_convention(db, producer):
    eggs = f.make_category(slug="x-eier", name="Eier vom Hof")
    f.make_product(producer, eggs, name="Eier, 6 Stück", article_number="E6", price_cents=250, vat_rate=7,
                   temperature="chilled", crate_units="0.5", stock=None, description='Freiland "M"')
    f.make_product(producer, eggs, name="Honig", article_number="H1", unit="500g", price_cents=1290,
                   vat_rate=7, stock=12, is_active=False)
    data = spreadsheet.export_csv(sorted(producer.products, key=lambda p: p.name))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == HEADER
    assert lines[1] == 'E6;Eier, 6 Stück;Eier vom Hof;Stück;2,50;7;gekühlt;0,5;;ja;"Freiland ""M"""'
    assert lines[2] == "H1;Honig;Eier vom Hof;500 g;12,90;7;ungekühlt;0,1;12;nein;"


def test_an_exported_file_imports_unchanged(db, producer):
    cat = f.make_category(name="Brot")
    for n in range(3):
        f.make_product(producer, cat, article_number=f"B{n}", unit="piece", crate_units="0.25")
    result = _import(producer, spreadsheet.export_csv(producer.products))
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 3, [])


def test_names_that_start_like_a_formula_are_guarded_and_import_unchanged(db, producer):
    cat = f.make_category(name="Aktion")
    f.make_product(producer, cat, name="=SUM(A1)", article_number="A1", description="@Hof")
    f.make_product(producer, cat, name="-Angebot-", article_number="A2", description="'s Hoflädchen")
    products = sorted(producer.products, key=lambda p: p.article_number)
    data = spreadsheet.export_csv(products)
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("A1;'=SUM(A1);Aktion;") and lines[1].endswith(";'@Hof")
    assert lines[2].startswith("A2;'-Angebot-;") and lines[2].endswith(";'s Hoflädchen")
    for exported in (data, spreadsheet.export_xlsx(products)):
        result = _import(producer, exported)
        assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])
    db.session.expire_all()
    assert [(p.name, p.description) for p in sorted(producer.products, key=lambda p: p.article_number)] == [
        ("=SUM(A1)", "@Hof"), ("-Angebot-", "'s Hoflädchen")]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", True, ";"), ("utf-8", False, ";"), ("cp1252", False, ";"), ("utf-8", False, ",")],
)
def test_import_reads_excel_files_in_utf8_or_windows_1252_with_semicolon_or_comma(db, producer, encoding, bom, delimiter):
    rows = ["K1;Kartoffeln festkochend;Obst & Gemüse;kg;1,80;7;ungekühlt;0,5;40;ja;Aus der Eifel",
            "M1;Möhren;gemuese;Bund;1,50;7;gekühlt;0,2;;nein;"]
    header = HEADER
    if delimiter == ",":
        header = header.replace(";", ",")
        rows = ['K1,Kartoffeln festkochend,Obst & Gemüse,kg,"1,80",7,ungekühlt,"0,5",40,ja,Aus der Eifel',
                'M1,Möhren,gemuese,Bund,"1,50",7,gekühlt,"0,2",,nein,']
    result = _import(producer, _csv(*rows, header=header, encoding=encoding, bom=bom))
    assert result.errors == [] and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    db.session.commit()
    potatoes, carrots = sorted(producer.products, key=lambda p: p.article_number)
    assert (potatoes.name, potatoes.price_cents, potatoes.stock, potatoes.unit.value) == (
        "Kartoffeln festkochend", 180, 40, "kg")
    assert (carrots.name, carrots.stock, carrots.is_active, carrots.temperature.value) == (
        "Möhren", None, False, "chilled")


def test_import_updates_by_article_number_and_counts(db, producer):
    _import(producer, _csv("A;Äpfel;Obst & Gemüse;kg;2,00;7;;;10;ja;", "B;Birnen;Obst & Gemüse;kg;2,50;7;;;5;ja;"))
    db.session.commit()
    result = _import(producer, _csv(
        "A;Äpfel;Obst & Gemüse;kg;2,00;7;;;10;ja;", "B;Birnen;Obst & Gemüse;kg;2,70;7;;;5;ja;",
        "C;Quitten;Obst & Gemüse;kg;3,00;7;;;;ja;",
    ))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert {p.article_number: p.price_cents for p in producer.products} == {"A": 200, "B": 270, "C": 300}


def test_a_dry_run_counts_and_writes_nothing(db, producer):
    result = _import(producer, _csv("A;Äpfel;Obst & Gemüse;kg;2,00;7;;;10;ja;"), dry_run=True)
    assert result.created == 1 and result.errors == []
    db.session.rollback()
    assert _count(db) == 0


def test_every_wrong_row_is_named_by_row_and_column_and_nothing_is_written(db, producer):
    f.make_product(producer, article_number="OLD", price_cents=100)
    db.session.commit()
    result = _import(producer, _csv(
        "A;Äpfel;Obst & Gemüse;kg;2,00;7;;;10;ja;",
        "B;Birnen;Südfrüchte;kg;2,50;7;;;5;ja;",       # row 3: unknown category
        "C;Quitten;Obst & Gemüse;kg;3,005;7;;;-3;ja;",  # row 4: three decimals, negative stock
        "A;Äpfel doppelt;Obst & Gemüse;kg;2,00;16;;;;vielleicht;",  # row 5: duplicate, VAT 16, Aktiv
        "OLD;Alt;Obst & Gemüse;kg;-1,00;7;;;;ja;",        # row 6: negative price
    ))
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Kategorie"), (4, "Preis"), (4, "Bestand"), (5, "Artikelnummer"), (5, "MwSt"), (5, "Aktiv"),
        (6, "Preis"),
    ]
    assert "zwei Nachkommastellen" in result.errors[1].error
    assert "weiter oben" in result.errors[3].error
    db.session.rollback()
    assert _count(db) == 1
    assert db.session.scalar(select(Product.price_cents).where(Product.article_number == "OLD")) == 100


def test_a_header_without_preis_is_a_row_1_error(db, producer):
    header = HEADER.replace("Preis;", "")
    result = _import(producer, _csv("A;Äpfel;Obst & Gemüse;kg;7;;;10;ja;", header=header))
    assert [(e.row, e.column) for e in result.errors] == [(1, "Preis")]
    assert _count(db) == 0


def test_unknown_and_doubled_columns_are_row_1_errors(db, producer):
    result = _import(producer, _csv("", header=HEADER + ";Farbe;Name"))
    assert [(e.row, e.column) for e in result.errors] == [(1, "Farbe"), (1, "Name")]


def test_a_tab_delimited_file_is_refused_with_a_message(db, producer):
    with pytest.raises(spreadsheet.TabDelimited, match="Tabulator"):
        _import(producer, _csv("A\tÄpfel", header=HEADER.replace(";", "\t")))


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf\r\n", b"nur ein wort\n"])
def test_an_unreadable_file_is_refused(db, producer, data):
    with pytest.raises(spreadsheet.UnreadableSpreadsheet):
        _import(producer, data)


def test_a_small_business_imports_vat_0_only(db):
    producer = f.make_producer(vat_status=VatStatus.SMALL_BUSINESS)
    f.make_category(name="Honig")
    result = _import(producer, _csv("H;Honig;Honig;Stück;6,00;0;;;;ja;", "H2;Honig;Honig;Stück;6,00;7;;;;ja;"))
    assert [(e.row, e.column) for e in result.errors] == [(3, "MwSt")]


def test_archived_article_numbers_are_not_revived(db, producer):
    from marketplace.catalog.services import archive_product

    archive_product(product=f.make_product(producer, article_number="X"), now=NOW)
    result = _import(producer, _csv("X;Neu;Obst & Gemüse;kg;2,00;7;;;;ja;"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Artikelnummer")]


def test_another_producers_article_numbers_do_not_match(db, producer):
    other = f.make_product(article_number="A", price_cents=999)
    result = _import(producer, _csv("A;Äpfel;Obst & Gemüse;kg;2,00;7;;;10;ja;"))
    assert result.created == 1 and result.updated == 0
    assert other.price_cents == 999


def _workbook(*rows) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_exported_workbook_imports_unchanged(db, producer):
    cat = f.make_category(name="Käse")
    f.make_product(producer, cat, article_number="K1", price_cents=1290, crate_units="0.25", stock=None)
    f.make_product(producer, cat, article_number="K2", price_cents=199, stock=4, is_active=False)
    from io import BytesIO

    from openpyxl import load_workbook

    data = spreadsheet.export_xlsx(sorted(producer.products, key=lambda p: p.article_number))
    sheet = load_workbook(BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADER.split(";")
    assert [c.value for c in sheet[2]][4:9] == [12.9, 7, "ungekühlt", 0.25, None]
    result = _import(producer, data)
    assert (result.created, result.updated, result.unchanged, result.errors) == (0, 0, 2, [])


def test_a_workbook_is_checked_like_a_csv(db, producer):
    result = _import(producer, _workbook(
        ("A", "Äpfel", "Obst & Gemüse", "kg", 2.5, 7, "ungekühlt", 0.5, 10, "ja", ""),
        ("B", "Birnen", "Obst & Gemüse", "kg", 2.505, 16, None, None, -3, "ja", None),
    ))
    assert [(e.row, e.column) for e in result.errors] == [(3, "Preis"), (3, "MwSt"), (3, "Bestand")]
    result = _import(producer, _workbook(("A", "Äpfel", "Obst & Gemüse", "kg", 2.5, 7, "ungekühlt", 0.5, 10, "ja", "")))
    assert result.created == 1 and producer.products[0].price_cents == 250


def test_a_broken_workbook_is_refused(db, producer):
    with pytest.raises(spreadsheet.UnreadableSpreadsheet):
        _import(producer, b"PK\x03\x04" + b"\x00" * 100)
