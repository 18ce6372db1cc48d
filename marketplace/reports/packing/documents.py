"""A producer's day as files: pick and packing list as CSV (the German spreadsheet convention)
and PDF (fpdf2), crate labels as PDF, and the labels' QR codes (segno)."""
from __future__ import annotations

import io
from decimal import Decimal

import segno
from flask_babel import gettext
from fpdf import FPDF

from marketplace.core.csv_export import spreadsheet_csv
from marketplace.notifications.slip import _latin1 as latin1
from marketplace.reports.packing.queries import Label, PackGroup, PackOrder, ProducerDaySheet
from marketplace.web.filters import money
from marketplace.web.labels import LABELS

temperature_label, unit_label = LABELS["temperature_label"], LABELS["unit_label"]


def qr_svg(number: str) -> str:
    """The order number as an inline SVG QR code (for the printable labels page)."""
    return segno.make(number, error="m").svg_inline(scale=3, border=2)


def qr_png(number: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(number, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def _decimal(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f").replace(".", ",")


def _money(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def destination(group: PackGroup | PackOrder) -> str:
    if group.place_name:
        return group.place_name
    return gettext("Haustür")


def pick_list_csv(sheet: ProducerDaySheet) -> bytes:
    rows: list[list[object]] = [[gettext("Artikelnummer"), gettext("Produkt"), gettext("Einheit"),
                                 gettext("Lagerung"), gettext("Menge"), gettext("Fehlmenge"), gettext("Zu packen")]]
    for row in sheet.pick:
        rows.append([row.article_number or "", row.name, unit_label(row.unit), temperature_label(row.temperature),
                     row.quantity, row.short_quantity, row.packed_quantity])
    return spreadsheet_csv(rows)


def packing_list_csv(sheet: ProducerDaySheet) -> bytes:
    rows: list[list[object]] = [[
        gettext("Teilregion"), gettext("Ziel"), gettext("Bestellung"), gettext("Name"), gettext("Straße"),
        gettext("Position"), gettext("Produkt"), gettext("Menge"), gettext("Fehlmenge"), gettext("Gewicht (g)"),
        gettext("Summe"),
    ]]
    for group in sheet.groups:
        for order in group.orders:
            for line in order.lines:
                rows.append([
                    group.sub_region_name, destination(group), order.number, order.resident_name,
                    order.street or "", line.id, line.product_name, line.quantity, line.short_quantity,
                    line.weight_grams if line.weight_grams is not None else "", _money(line.total_cents),
                ])
    return spreadsheet_csv(rows)


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self._title = latin1(title)
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=14)

    def header(self) -> None:
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 5, f"Landkorb · {self._title}".encode("latin-1", "replace").decode("latin-1"),
                  new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 5, str(self.page_no()), align="R")


def _table(pdf: FPDF, widths: list[int], header: list[str], rows: list[list[str]], aligns: str) -> None:
    pdf.set_font("Helvetica", "B", 9)
    for width, text in zip(widths, header, strict=True):
        pdf.cell(width, 6, latin1(text), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for row in rows:
        for width, text, align in zip(widths, row, aligns, strict=True):
            pdf.cell(width, 5.5, latin1(str(text))[:60], align=align)
        pdf.ln()


def lists_pdf(sheet: ProducerDaySheet, *, title: str, day_text: str) -> bytes:
    """Pick list, then the packing list grouped by sub-region and destination, on A4."""
    pdf = _Pdf(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1(gettext("Pickliste %(day)s", day=day_text)), new_x="LMARGIN", new_y="NEXT")
    _table(pdf, [28, 88, 22, 26, 22], [gettext("Art.-Nr."), gettext("Produkt"), gettext("Einheit"),
                                       gettext("Lagerung"), gettext("Menge")],
           [[r.article_number or "", r.name, unit_label(r.unit), temperature_label(r.temperature),
             str(r.packed_quantity)] for r in sheet.pick], "LLLLR")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, latin1(gettext("Packliste %(day)s", day=day_text)), new_x="LMARGIN", new_y="NEXT")
    for group in sheet.groups:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, latin1(f"{group.sub_region_name} · {destination(group)}"), new_x="LMARGIN", new_y="NEXT")
        for order in group.orders:
            pdf.set_font("Helvetica", "B", 9)
            who = f"{order.number} · {order.resident_name}" + (f" · {order.street}, {order.door_town}" if order.street else "")
            pdf.cell(0, 6, latin1(who), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 9)
            for line in order.lines:
                weight = f" · {line.weight_grams} g" if line.weight_grams is not None else ""
                short = f" · {gettext('fehlt')}: {line.short_quantity}" if line.short_quantity else ""
                pdf.cell(12, 5, str(line.packed_quantity), align="R")
                pdf.cell(130, 5, latin1(f"  {line.product_name}{weight}{short}")[:90])
                pdf.cell(0, 5, latin1(money(line.total_cents)), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


LABEL_MM = (93, 66)  # two columns, four rows on A4 within the margins


def labels_pdf(labels: list[Label], *, title: str, day_text: str) -> bytes:
    """Crate labels, eight to an A4 page: order number, destination, temperature, QR code."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 12, 12)
    width, height = LABEL_MM
    for index, label in enumerate(labels):
        if index % 8 == 0:
            pdf.add_page()
        column, row = index % 2, (index % 8) // 2
        x, y = 12 + column * (width + 0), 12 + row * (height + 2)
        pdf.rect(x, y, width - 2, height)
        pdf.image(qr_png(label.order.number), x=x + width - 34, y=y + 3, w=30, h=30)
        pdf.set_xy(x + 3, y + 4)
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(width - 40, 8, latin1(label.order.number))
        pdf.set_xy(x + 3, y + 14)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(width - 40, 6, latin1(destination(label.order)))
        pdf.set_xy(x + 3, y + 36)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width - 8, 5.5, latin1(
            f"{label.order.resident_name}\n{temperature_label(label.temperature)} · {day_text}"
        ))
        pdf.set_xy(x + 3, y + height - 9)
        pdf.set_font("Helvetica", "", 8)
        pdf.cell(width - 8, 5, latin1(f"{title} · {_decimal(label.crate_units)} {gettext('Kisteneinheiten')}"))
    if not labels:
        pdf.add_page()
    return bytes(pdf.output())
