"""The printed slip: one A6 page per notification, as a PDF (fpdf2) next to its print-CSS page."""
from __future__ import annotations

from fpdf import FPDF

# fpdf2's built-in fonts know Latin-1 only (German is in it); nothing here needs a font file.
A6_MM = (105, 148)
_REPLACEMENTS = {"€": "EUR", "\u202f": " ", "\xa0": " ", "–": "-", "„": '"', "“": '"', "…": "..."}


def _latin1(text: str) -> str:
    for char, replacement in _REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def slip_pdf(*, title: str, recipient: str, lines: list[str], footer: str) -> bytes:
    pdf = FPDF(format=A6_MM)
    pdf.set_margins(8, 8, 8)
    pdf.set_auto_page_break(True, margin=8)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, "Landkorb", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, _latin1(recipient), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 6, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        pdf.multi_cell(0, 5.5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
