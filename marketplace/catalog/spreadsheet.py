"""The catalogue as a spreadsheet (CSV the German way, or .xlsx) and the import of one, all or nothing.

Export: UTF-8 with BOM, `;`-separated, decimal comma, the columns of HEADER, values as the shop
shows them in German (whatever the page's language: the file is a data format); or the same
columns as an Excel workbook with numbers as numbers. Import: UTF-8 (with or without BOM) or
Windows-1252, `;` or `,`, or an .xlsx workbook (its first sheet, read as the same text), matched
to the producer's products by article number; every row is checked with the catalogue's own
rules (services.check_product) and nothing is written while any row is wrong. One function for
the portal and the API.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from marketplace.catalog import services
from marketplace.catalog.models import Category, Producer, Product
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.csv_export import spreadsheet_csv, spreadsheet_text
from marketplace.core.errors import N_, InvalidInput
from marketplace.extensions import db

HEADER = (
    "Artikelnummer", "Name", "Kategorie", "Einheit", "Preis", "MwSt", "Lagerung", "Kisten",
    "Bestand", "Aktiv", "Beschreibung",
)
REQUIRED = ("Artikelnummer", "Name", "Kategorie", "Einheit", "Preis", "MwSt")
UNIT_NAMES = {
    "piece": "Stück", "kg": "kg", "100g": "100 g", "500g": "500 g", "bunch": "Bund",
    "litre": "Liter", "bottle": "Flasche",
}
TEMPERATURE_NAMES = {"ambient": "ungekühlt", "chilled": "gekühlt", "frozen": "tiefgekühlt"}
YES, NO = "ja", "nein"
# A few spellings people type beside the exported ones.
_UNIT_ALIASES = {"stk": "piece", "stk.": "piece", "l": "litre", "100g": "100g", "500g": "500g"}
# Which column a rule of check_product speaks about.
_COLUMN_OF = {
    "article_number": "Artikelnummer", "name": "Name", "category_id": "Kategorie", "unit": "Einheit",
    "price_cents": "Preis", "vat_rate": "MwSt", "temperature": "Lagerung", "crate_units": "Kisten",
    "stock": "Bestand", "is_active": "Aktiv", "description": "Beschreibung",
}


class UnreadableSpreadsheet(InvalidInput):
    """The file as a whole cannot be read as a catalogue (no row-by-row errors to show)."""

    code = "invalid_spreadsheet"
    message = N_("Die Datei ist keine CSV-Tabelle im Format des Katalogs.")


class TabDelimited(UnreadableSpreadsheet):
    message = N_("Die Datei ist mit Tabulatoren getrennt. Bitte als CSV mit Semikolon (;) speichern.")


class UnknownEncoding(UnreadableSpreadsheet):
    message = N_("Die Datei ist weder UTF-8 noch Windows-1252. Bitte als „CSV UTF-8“ speichern.")


class EmptySpreadsheet(UnreadableSpreadsheet):
    message = N_("Die Datei ist leer.")


class TooManyRows(UnreadableSpreadsheet):
    message = N_("Die Datei hat mehr als 20.000 Zeilen. Bitte in mehreren Teilen hochladen.")


MAX_ROWS = 20_000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the header's name
    error: str  # a msgid, translated at the edge

    def to_dict(self, translate=lambda text: text) -> dict:
        return {"row": self.row, "column": self.column, "error": translate(self.error)}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Export ---------------------------------------------------------------------------------

def export_csv(products: list[Product]) -> bytes:
    """The products as the German spreadsheet file (categories loaded with them)."""
    return spreadsheet_csv([HEADER, *([
        p.article_number or "", p.name, p.category.name, UNIT_NAMES[p.unit.value],
        services.format_price_text(p.price_cents), str(p.vat_rate),
        TEMPERATURE_NAMES[p.temperature.value], services.format_decimal_text(p.crate_units),
        "" if p.stock is None else str(p.stock), YES if p.is_active else NO, p.description or "",
    ] for p in products)])


def export_xlsx(products: list[Product]) -> bytes:
    """The same columns as an Excel workbook; prices, VAT, crates and stock as numbers, and text as
    text (a name "=SUM(A1)" would otherwise be written as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Katalog")

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell

    sheet.append(list(HEADER))
    for p in products:
        sheet.append([
            text(p.article_number or ""), text(p.name), text(p.category.name), UNIT_NAMES[p.unit.value],
            Decimal(p.price_cents) / 100, p.vat_rate, TEMPERATURE_NAMES[p.temperature.value],
            Decimal(p.crate_units).normalize(), p.stock, YES if p.is_active else NO, text(p.description or ""),
        ])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- Import ---------------------------------------------------------------------------------

def _cell_text(value: object) -> str:
    """An Excel cell as the text the CSV would hold: numbers with a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr keeps what was typed (2.5, 2.505): three decimals stay an error, not rounded away
        return services.format_decimal_text(Decimal(repr(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise UnreadableSpreadsheet() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise EmptySpreadsheet()
        records = []
        for row in sheet.iter_rows(values_only=True, max_col=len(HEADER) + 10):
            if len(records) > MAX_ROWS:
                raise TooManyRows()
            records.append([_cell_text(value) for value in row])
    finally:
        workbook.close()
    if not records or not any(cell.strip() for cell in records[0]):
        raise EmptySpreadsheet()
    return records


def _text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnknownEncoding() from None


def _csv_records(data: bytes) -> list[list[str]]:
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise EmptySpreadsheet()
    if ";" in first_line:
        delimiter = ";"
    elif "," in first_line:
        delimiter = ","
    elif "\t" in first_line:
        raise TabDelimited()
    else:
        raise UnreadableSpreadsheet()
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise UnreadableSpreadsheet() from None
    if len(records) > MAX_ROWS + 1:
        raise TooManyRows()
    return records


def read_rows(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header, [(row number, {column: cell})]) of a CSV file or an .xlsx workbook (told apart
    by the zip signature); empty rows are left out."""
    records = _xlsx_records(data) if data.startswith(b"PK\x03\x04") else _csv_records(data)
    header = [cell.strip() for cell in records[0]]
    while header and not header[-1]:
        header.pop()  # empty cells after the last column (Excel, a trailing `;`)
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: (spreadsheet_text(record[i].strip()) if i < len(record) else "")
                 for i, name in enumerate(header)}
        if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
            cells[""] = "extra"
        rows.append((number, cells))
    return header, rows


def _header_errors(header: list[str]) -> list[RowError]:
    errors = [
        RowError(1, name, N_("Diese Spalte fehlt in der Kopfzeile.")) for name in REQUIRED if name not in header
    ]
    seen: set[str] = set()
    for name in header:
        if name not in HEADER:
            errors.append(RowError(1, name, N_("Diese Spalte kennt der Katalog nicht.")))
        elif name in seen:
            errors.append(RowError(1, name, N_("Diese Spalte steht zweimal in der Kopfzeile.")))
        seen.add(name)
    return errors


def _category_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for category in db.session.scalars(select(Category)):
        lookup[category.slug.casefold()] = category.id
        lookup[category.name.casefold()] = category.id
    return lookup


_UNITS = {name.casefold(): code for code, name in UNIT_NAMES.items()} | {
    code: code for code in UNIT_NAMES
} | _UNIT_ALIASES
_TEMPERATURES = {name: code for code, name in TEMPERATURE_NAMES.items()} | {
    code: code for code in TEMPERATURE_NAMES
}


def _parse_cells(cells: dict[str, str], categories: dict[str, int]) -> tuple[dict, dict[str, str]]:
    """The row's cells as ProductValues fields, and the errors by column (only given columns)."""
    changes: dict = {}
    errors: dict[str, str] = {}

    def cell(name: str) -> str | None:
        return cells.get(name)

    if (name := cell("Name")) is not None:
        changes["name"] = name
    if (category := cell("Kategorie")) is not None:
        if category.casefold() in categories:
            changes["category_id"] = categories[category.casefold()]
        else:
            errors["Kategorie"] = N_("Diese Kategorie gibt es nicht.")
    if (unit := cell("Einheit")) is not None:
        if unit.casefold() in _UNITS:
            changes["unit"] = _UNITS[unit.casefold()]
        else:
            errors["Einheit"] = N_("Diese Einheit gibt es nicht.")
    if (price := cell("Preis")) is not None:
        try:
            changes["price_cents"] = services.parse_price_text(price)
        except ValueError as error:
            errors["Preis"] = str(error)
    if (vat := cell("MwSt")) is not None:
        digits = vat.replace("%", "").strip()
        if digits.isdigit() and len(digits) <= 2:
            changes["vat_rate"] = int(digits)
        else:
            errors["MwSt"] = N_("Bitte den MwSt.-Satz als 0, 7 oder 19 angeben.")
    if (temperature := cell("Lagerung")) is not None and temperature != "":
        if temperature.casefold() in _TEMPERATURES:
            changes["temperature"] = _TEMPERATURES[temperature.casefold()]
        else:
            errors["Lagerung"] = N_("Bitte ungekühlt, gekühlt oder tiefgekühlt angeben.")
    if (crates := cell("Kisten")) is not None and crates != "":
        try:
            changes["crate_units"] = services.parse_decimal_text(crates)
        except ValueError as error:
            errors["Kisten"] = str(error)
    if (stock := cell("Bestand")) is not None:
        if stock == "":
            changes["stock"] = None
        elif stock.isdigit() and len(stock) <= 9:
            changes["stock"] = int(stock)
        else:
            errors["Bestand"] = N_("Der Bestand ist eine ganze Zahl ab 0 (leer: auf Bestellung).")
    if (active := cell("Aktiv")) is not None and active != "":
        if active.casefold() in (YES, NO):
            changes["is_active"] = active.casefold() == YES
        else:
            errors["Aktiv"] = N_("Bitte ja oder nein angeben.")
    if (description := cell("Beschreibung")) is not None:
        changes["description"] = description
    return changes, errors


def import_catalog(*, producer: Producer, data: bytes, now: datetime, dry_run: bool = False) -> ImportResult:
    """Create and update `producer`'s products from a spreadsheet, matched by article number.

    Every row is checked first; with any error (or `dry_run`) nothing is written and the result
    lists every error by row and column. Otherwise all rows are written in the caller's
    transaction (flushed; the caller commits). Raises UnreadableSpreadsheet for a file that
    cannot be read at all."""
    header, rows = read_rows(data)
    result = ImportResult(errors=_header_errors(header))
    if result.errors:
        return result
    categories = _category_lookup()
    existing = {
        p.article_number: p for p in db.session.scalars(
            select(Product).where(Product.producer_id == producer.id, Product.article_number.is_not(None))
        )
    }
    seen: dict[str, int] = {}
    planned: list[tuple[Product | None, services.ProductValues]] = []
    for number, cells in rows:
        changes, errors = _parse_cells(cells, categories)
        if "" in cells:
            errors.setdefault(HEADER[-1], N_("Die Zeile hat mehr Zellen als die Kopfzeile."))
        article = cells.get("Artikelnummer", "")
        product = existing.get(article)
        if not article:
            errors["Artikelnummer"] = N_("Jede Zeile braucht eine Artikelnummer.")
        elif article in seen:
            errors["Artikelnummer"] = N_("Diese Artikelnummer steht schon weiter oben in der Datei.")
        elif product is not None and product.is_archived:
            errors["Artikelnummer"] = N_("Diese Artikelnummer gehört zu einem archivierten Produkt.")
        seen.setdefault(article, number)
        base = services.values_of(product) if product is not None else services.ProductValues(
            name="", category_id=None, unit="piece", price_cents=0, vat_rate=producer.vat_rates[0],
        )
        values = base.replace(article_number=article or None, **changes)
        for rule_field, message in services.check_product(producer, values).items():
            column = _COLUMN_OF.get(rule_field, "Artikelnummer")
            if column in header:
                errors.setdefault(column, message)
            else:
                errors.setdefault("Artikelnummer", message)
        if errors:
            result.errors += [RowError(number, column, message) for column, message in errors.items()]
            continue
        if product is None:
            result.created += 1
        elif values == base:
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        planned.append((product, values))
    result.errors.sort(key=lambda e: (e.row, HEADER.index(e.column) if e.column in HEADER else 99))
    if result.errors or dry_run:
        return result
    new = []
    for product, values in planned:
        if product is None:
            product = Product(producer=producer, created_at=now)
            new.append(product)
        services.apply_values(product, values)
    db.session.add_all(new)
    db.session.flush()
    if planned:
        bump_catalog_version()
    return result
