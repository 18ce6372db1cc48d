"""The CSV files for German spreadsheets: every export writes them the same way."""
from __future__ import annotations

from marketplace.core.csv_export import spreadsheet_csv, spreadsheet_safe, spreadsheet_text


def test_a_spreadsheet_csv_has_a_bom_semicolons_crlf_and_quotes_where_needed():
    data = spreadsheet_csv([("Produkt", "Preis"), ("Brot; hell", "4,50"), ('Eier "frisch"', 3)])
    assert data == '\ufeffProdukt;Preis\r\n"Brot; hell";4,50\r\n"Eier ""frisch""";3\r\n'.encode()


def test_no_rows_is_just_the_bom():
    assert spreadsheet_csv([]) == "\ufeff".encode()


def test_text_that_starts_like_a_formula_gets_an_apostrophe_and_numbers_stay():
    data = spreadsheet_csv([("=SUM(A1)", "-Angebot-", "+49 6561", "@x", "\tTab", "=1", "Brot"),
                            (-3, "-3", "-1,50", "+1.234,5", "-1e-05", 2.5, "")])
    assert data.decode("utf-8-sig").split("\r\n")[:2] == [
        "'=SUM(A1);'-Angebot-;'+49 6561;'@x;'\tTab;'=1;Brot", "-3;-3;-1,50;+1.234,5;-1e-05;2.5;"]


def test_reading_back_drops_only_the_apostrophe_the_export_added():
    for text in ("=SUM(A1)", "-Angebot-", "'s Hoflädchen", "''=x", "-1,50", "Brot", ""):
        assert spreadsheet_text(str(spreadsheet_safe(text))) == text
    assert spreadsheet_text("'s Hoflädchen") == "'s Hoflädchen"
    assert spreadsheet_text("'=SUM(A1)") == "=SUM(A1)"
