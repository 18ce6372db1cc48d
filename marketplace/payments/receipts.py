"""Reading invoices for people: the receipt of an order, VAT per rate, PDF (fpdf2) and Factur-X.

The receipt of an order is every document its resident received: one invoice per producer
(the seller of its goods), the platform's delivery invoice, and the credit notes on them.
A business or public buyer (a Kita, the municipality) gets its invoices as Factur-X PDF too:
the same PDF with the EN 16931 XML (drafthorse) embedded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import force_locale, gettext
from fpdf import FPDF
from sqlalchemy import select

from marketplace.core.clock import to_local
from marketplace.core.money import VatLine, format_cents, vat_breakdown, vat_included
from marketplace.extensions import db
from marketplace.notifications.slip import _latin1
from marketplace.payments.invoice_models import Invoice, InvoiceKind

SMALL_BUSINESS_NOTE = "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet."


@dataclass(frozen=True)
class InvoiceFigures:
    vat: list[VatLine]
    net_cents: int
    vat_cents: int
    gross_cents: int


def figures_of(invoice: Invoice) -> InvoiceFigures:
    vat = vat_breakdown((line.total_cents, line.vat_rate) for line in invoice.lines)
    vat_cents = sum(v.vat_cents for v in vat)
    return InvoiceFigures(vat=vat, net_cents=invoice.total_cents - vat_cents, vat_cents=vat_cents,
                          gross_cents=invoice.total_cents)


def list_receipt_documents(order_id: int) -> list[Invoice]:
    """What the resident received for an order: sales, delivery, and credit notes on them."""
    return list(db.session.scalars(
        select(Invoice).where(Invoice.order_id == order_id, Invoice.buyer_user_id.is_not(None))
        .order_by(Invoice.kind == InvoiceKind.CREDIT_NOTE, Invoice.id)
    ))


def get_invoice(invoice_id: int) -> Invoice | None:
    return db.session.get(Invoice, invoice_id)


def title_of(invoice: Invoice) -> str:
    if invoice.is_credit_note:
        return gettext("Rechnungskorrektur %(number)s zur Rechnung %(original)s",
                       number=invoice.display_number, original=invoice.refers_to.display_number)
    return gettext("Rechnung %(number)s", number=invoice.display_number)


# -- PDF ----------------------------------------------------------------------------------------

def _money(cents: int, locale: str) -> str:
    return _latin1(format_cents(cents, locale))


def _page(pdf: FPDF, invoice: Invoice, locale: str) -> None:
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 6, _latin1(invoice.seller_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, _latin1(invoice.seller_address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "", 10)
    buyer = "\n".join(p for p in (invoice.buyer_organisation, invoice.buyer_name, invoice.buyer_address) if p)
    pdf.multi_cell(90, 5, _latin1(buyer), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, _latin1(title_of(invoice)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    facts = [
        gettext("Rechnungsdatum: %(day)s", day=f"{to_local(invoice.issued_at):%d.%m.%Y}"),
        gettext("Bestellung %(number)s, Liefertag %(day)s", number=invoice.order.number,
                day=f"{invoice.order.delivery_date:%d.%m.%Y}"),
    ]
    if invoice.buyer_reference:
        facts.append(gettext("Ihr Zeichen: %(reference)s", reference=invoice.buyer_reference))
    if invoice.reason:
        facts.append(gettext("Grund: %(reason)s", reason=invoice.reason))
    for fact in facts:
        pdf.cell(0, 5, _latin1(fact), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (10, 86, 16, 26, 14, 28)
    pdf.set_font("Helvetica", "B", 9)
    for width, head in zip(widths, ("Pos.", gettext("Beschreibung"), gettext("Menge"),
                                    gettext("Einzelpreis"), gettext("MwSt."), gettext("Betrag")), strict=True):
        pdf.cell(width, 6, _latin1(head), border="B")
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in invoice.lines:
        cells = (str(line.position), line.description[:60], str(line.quantity),
                 _money(line.unit_price_cents, locale), f"{line.vat_rate} %", _money(line.total_cents, locale))
        for column, (width, text) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(width, 6, _latin1(text), align="R" if column >= 2 else "L")
        pdf.ln()
    pdf.ln(3)
    figures = figures_of(invoice)
    if invoice.is_small_business:
        pdf.cell(0, 5, _latin1(gettext(SMALL_BUSINESS_NOTE)), new_x="LMARGIN", new_y="NEXT")
    else:
        for vat in figures.vat:
            pdf.cell(0, 5, _latin1(gettext(
                "Netto %(rate)s %%: %(net)s, MwSt. %(rate)s %%: %(vat)s", rate=vat.rate,
                net=format_cents(vat.net_cents, locale), vat=format_cents(vat.vat_cents, locale),
            )), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    label = gettext("Gutschrift gesamt") if invoice.is_credit_note else gettext("Gesamtbetrag")
    pdf.cell(0, 7, _latin1(f"{label}: {format_cents(figures.gross_cents, locale)}"),
             new_x="LMARGIN", new_y="NEXT")


def invoices_pdf(invoices: list[Invoice], *, locale: str = "de") -> bytes:
    """One A4 page per document, in the order given."""
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    with force_locale(locale):
        pdf.set_title(_latin1(title_of(invoices[0])) if len(invoices) == 1 else "Landkorb")
        for invoice in invoices:
            _page(pdf, invoice, locale)
    return bytes(pdf.output())


# -- Factur-X -------------------------------------------------------------------------------------

def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _address(target, text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    target.country_id = "DE"
    if lines:
        target.line_one = lines[0]
    if len(lines) > 1:
        postcode, _, city = lines[-1].partition(" ")
        target.postcode, target.city_name = postcode, city or postcode


def _net_lines(invoice: Invoice) -> dict[int, int]:
    """Each line's net amount, so that the lines of a rate add up to that rate's net exactly."""
    nets = {line.id: line.total_cents - vat_included(line.total_cents, line.vat_rate) for line in invoice.lines}
    for vat in figures_of(invoice).vat:
        rate_lines = [line for line in invoice.lines if line.vat_rate == vat.rate]
        nets[rate_lines[-1].id] += vat.net_cents - sum(nets[line.id] for line in rate_lines)
    return nets


def facturx_xml(invoice: Invoice) -> bytes:
    """The invoice as EN 16931 (Factur-X / ZUGFeRD 2) XML, validated against its schema."""
    from drafthorse.models.accounting import ApplicableTradeTax
    from drafthorse.models.document import Document
    from drafthorse.models.note import IncludedNote
    from drafthorse.models.payment import PaymentTerms
    from drafthorse.models.tradelines import LineItem

    doc = Document()
    doc.context.guideline_parameter.id = "urn:cen.eu:en16931:2017"
    doc.header.id = invoice.display_number
    doc.header.type_code = "381" if invoice.is_credit_note else "380"
    doc.header.issue_date_time = to_local(invoice.issued_at).date()
    if invoice.is_small_business:
        doc.header.notes.add(IncludedNote(content=SMALL_BUSINESS_NOTE))
    agreement = doc.trade.agreement
    agreement.buyer_reference = invoice.buyer_reference or invoice.order.number
    agreement.seller.name = invoice.seller_name
    _address(agreement.seller.address, invoice.seller_address)
    agreement.buyer.name = invoice.buyer_organisation or invoice.buyer_name
    _address(agreement.buyer.address, invoice.buyer_address)
    doc.trade.delivery.event.occurrence = invoice.order.delivery_date
    settlement = doc.trade.settlement
    settlement.currency_code = "EUR"
    if invoice.is_credit_note:
        settlement.invoice_referenced_document.issuer_assigned_id = invoice.refers_to.display_number
        settlement.invoice_referenced_document.issue_date_time = to_local(invoice.refers_to.issued_at).date()
    category = "E" if invoice.is_small_business else "S"
    nets = _net_lines(invoice)
    for line in invoice.lines:
        item = LineItem()
        item.document.line_id = str(line.position)
        item.product.name = line.description
        net = nets[line.id]
        item.agreement.net.amount = (Decimal(net) / 100 / line.quantity).quantize(Decimal("0.0001"))
        item.delivery.billed_quantity = (Decimal(line.quantity), "C62")
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = category
        item.settlement.trade_tax.rate_applicable_percent = Decimal(line.vat_rate)
        item.settlement.monetary_summation.total_amount = _euros(net)
        doc.trade.items.add(item)
    figures = figures_of(invoice)
    for vat in figures.vat:
        tax = ApplicableTradeTax()
        tax.calculated_amount = _euros(vat.vat_cents)
        tax.basis_amount = _euros(vat.net_cents)
        tax.type_code = "VAT"
        tax.category_code = category
        if invoice.is_small_business:
            tax.exemption_reason = "Kleinunternehmer gemäß § 19 UStG"
        tax.rate_applicable_percent = Decimal(vat.rate)
        settlement.trade_tax.add(tax)
    if not invoice.is_credit_note:
        terms = PaymentTerms()
        terms.due = to_local(invoice.issued_at).date() + timedelta(days=14)
        settlement.terms.add(terms)
    summation = settlement.monetary_summation
    summation.line_total = _euros(figures.net_cents)
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = _euros(figures.net_cents)
    summation.tax_total = (_euros(figures.vat_cents), "EUR")
    summation.grand_total = _euros(figures.gross_cents)
    summation.due_amount = _euros(figures.gross_cents)
    return doc.serialize(schema="FACTUR-X_EN16931")


def facturx_pdf(invoice: Invoice, *, locale: str = "de") -> bytes:
    from drafthorse.pdf import attach_xml

    return attach_xml(invoices_pdf([invoice], locale=locale), facturx_xml(invoice), level="EN 16931")


def has_facturx(invoice: Invoice) -> bool:
    """Factur-X is for business and public buyers; a resident buying for themselves gets the PDF."""
    return bool(invoice.buyer_organisation)
