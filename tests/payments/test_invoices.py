"""Invoices per seller, issued when an order is confirmed: numbers, VAT per rate, §19, fees."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import VatStatus
from marketplace.core.money import vat_breakdown
from marketplace.extensions import db
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.payments.invoices import list_order_invoices, next_number
from marketplace.payments.services import submit_order
from tests.orders.helpers import TUESDAY, make_world
from tests.payments.invoice_helpers import order_bread_and_wine


@pytest.fixture
def world(db):
    return make_world()


def _by_kind(order):
    invoices = list_order_invoices(order.id)
    return {kind: [i for i in invoices if i.kind == kind] for kind in InvoiceKind}


def test_confirming_an_order_issues_one_invoice_per_producer_with_its_own_number(world, now):
    first = order_bread_and_wine(world, now)
    second = order_bread_and_wine(world, now, wine=0)
    sales = _by_kind(first)[InvoiceKind.SALE]
    assert [(i.producer_id, i.seller_name, i.number, i.year) for i in sales] == [
        (world.producer_a.id, world.producer_a.name, 1, 2026),
        (world.producer_b.id, world.producer_b.name, 1, 2026),
    ]
    [again] = _by_kind(second)[InvoiceKind.SALE]
    assert (again.producer_id, again.number) == (world.producer_a.id, 2)
    assert again.display_number == "RE-2026-00002"
    assert sales[0].buyer_name == world.resident.name and sales[0].buyer_user_id == world.resident.id
    assert [(line.description, line.quantity, line.total_cents) for line in sales[0].lines] == [
        ("Bauernbrot", 2, 900)]
    assert vat_breakdown((line.total_cents, line.vat_rate) for line in sales[1].lines)[0].rate == 19


def test_the_platform_invoices_its_fee_to_each_producer_and_the_delivery_fee_to_the_resident(world, now):
    order = order_bread_and_wine(world, now, door=True, bread=6)
    kinds = _by_kind(order)
    # The region's fee is 10 %: 6 × 4,50 € → 2,70 €, 12,90 € → 1,29 €.
    assert sorted((i.producer_id, i.total_cents, i.buyer_name) for i in kinds[InvoiceKind.PLATFORM_FEE]) == [
        (world.producer_a.id, 270, world.producer_a.name), (world.producer_b.id, 129, world.producer_b.name)]
    [delivery] = kinds[InvoiceKind.DELIVERY]
    assert delivery.total_cents == order.delivery_fee_cents == 390
    assert delivery.lines[0].vat_rate == 19 and delivery.producer_id is None
    platform_numbers = sorted(i.number for i in kinds[InvoiceKind.PLATFORM_FEE] + kinds[InvoiceKind.DELIVERY])
    assert platform_numbers == [1, 2, 3]


def test_a_small_business_invoice_says_so(world, now):
    world.producer_a.vat_status = VatStatus.SMALL_BUSINESS
    world.bread.vat_rate = 0
    db.session.commit()
    order = order_bread_and_wine(world, now)
    sale_a = next(i for i in _by_kind(order)[InvoiceKind.SALE] if i.producer_id == world.producer_a.id)
    assert sale_a.is_small_business and {line.vat_rate for line in sale_a.lines} == {0}


def test_an_order_that_is_not_confirmed_gets_no_invoice_and_takes_no_number(world, now):
    submit_order(resident=world.resident, items=[(world.bread.id, 1)], delivery_date=TUESDAY,
                            fulfilment=world.sales_point_choice(), payment_method="pay_on_pickup", now=now)
    db.session.rollback()  # the order's transaction fails: its numbers go back with it
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
    later = order_bread_and_wine(world, now)
    assert [i.number for i in _by_kind(later)[InvoiceKind.SALE]] == [1, 1]


def test_confirming_twice_issues_nothing_twice(world, now):
    from marketplace.payments.invoices import issue_order_invoices

    order = order_bread_and_wine(world, now)
    before = len(list_order_invoices(order.id))
    assert issue_order_invoices(order, now=now) == []
    assert len(list_order_invoices(order.id)) == before


def test_numbers_start_again_at_one_each_year(db):
    assert [next_number("producer-1", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("producer-1", 2027) == 1
    assert next_number("producer-2", 2026) == 1


def test_invoices_render_as_pdf_and_a_business_buyer_gets_factur_x(world, now):
    from io import BytesIO

    from pypdf import PdfReader

    from marketplace.payments.receipts import facturx_pdf, facturx_xml, invoices_pdf
    from tests.payments.invoice_helpers import allow_invoice

    allow_invoice(world.resident, organisation="Kita Sonnenschein", reference="04011000-12345-67", now=now)
    order = order_bread_and_wine(world, now, method="invoice")
    sale = _by_kind(order)[InvoiceKind.SALE][1]
    text = PdfReader(BytesIO(invoices_pdf([sale]))).pages[0].extract_text()
    assert "RE-2026-00001" in text and "Riesling" in text and "Kita Sonnenschein" in text
    xml = facturx_xml(sale).decode()
    assert "<ram:BuyerReference>04011000-12345-67</ram:BuyerReference>" in xml
    assert "<ram:GrandTotalAmount>12.90</ram:GrandTotalAmount>" in xml
    assert "<ram:CalculatedAmount>2.06</ram:CalculatedAmount>" in xml
    reader = PdfReader(BytesIO(facturx_pdf(sale)))
    assert "factur-x.xml" in reader.attachments
