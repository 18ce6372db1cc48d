"""CSV files that German spreadsheets open as they are: semicolons, CRLF, UTF-8 with a BOM."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def spreadsheet_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """The rows (the header first, where there is one) as such a file."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
