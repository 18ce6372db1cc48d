"""The CSV files for German spreadsheets: every export writes them the same way."""
from __future__ import annotations

from marketplace.core.csv_export import spreadsheet_csv


def test_a_spreadsheet_csv_has_a_bom_semicolons_crlf_and_quotes_where_needed():
    data = spreadsheet_csv([("Produkt", "Preis"), ("Brot; hell", "4,50"), ('Eier "frisch"', 3)])
    assert data == '\ufeffProdukt;Preis\r\n"Brot; hell";4,50\r\n"Eier ""frisch""";3\r\n'.encode()


def test_no_rows_is_just_the_bom():
    assert spreadsheet_csv([]) == "\ufeff".encode()
