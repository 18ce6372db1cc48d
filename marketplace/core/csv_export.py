"""CSV files that German spreadsheets open as they are: semicolons, CRLF, UTF-8 with a BOM; text a
spreadsheet would run as a formula is written with a leading apostrophe, and read back without."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that a spreadsheet reads as a number ("-3", "-1,50", "+1.234,5") is no formula: it stays.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")


def spreadsheet_safe(cell: object) -> object:
    """A cell as a spreadsheet may open it: text that starts like a formula (a name typed by anyone:
    "=HYPERLINK(…)", "-Angebot-") gets an apostrophe in front; numbers stay as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def spreadsheet_text(cell: str) -> str:
    """A cell read back from such a file: the apostrophe `spreadsheet_safe` put there is dropped;
    any other leading apostrophe ("'s Hoflädchen") is the text's own."""
    if cell.startswith("'") and spreadsheet_safe(cell[1:]) == cell:
        return cell[1:]
    return cell


def spreadsheet_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows (the header first, where there is one) as such a file."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(
        [spreadsheet_safe(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
