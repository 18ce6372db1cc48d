"""Credit notes for pay-on-pickup and invoice orders: short lines, cancellations, bad input."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import OrderStatus
from marketplace.orders.services import cancel_order
from marketplace.payments.credit_notes import CreditNotApplicable, InvalidCredit, credit_order_lines
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.payments.invoices import list_order_invoices
from tests.orders.helpers import make_world
from tests.payments.invoice_helpers import order_bread_and_wine


@pytest.fixture
def world(db):
    return make_world()


def _count():
    return db.session.scalar(select(func.count()).select_from(Invoice))


def _line(order, product):
    return next(line for line in order.lines if line.product_id == product.id)


def test_a_short_line_gets_a_credit_note_referring_to_its_producers_invoice(world, now):
    order = order_bread_and_wine(world, now, bread=6)
    bread = _line(order, world.bread)
    notes = credit_order_lines(order=order, quantities={bread.id: 2}, reason="Fehlmenge", now=now)
    db.session.commit()
    sale_a = next(i for i in list_order_invoices(order.id)
                  if i.kind == InvoiceKind.SALE and i.producer_id == world.producer_a.id)
    goods_note, fee_note = notes
    assert goods_note.refers_to_id == sale_a.id and goods_note.kind == InvoiceKind.CREDIT_NOTE
    assert (goods_note.total_cents, goods_note.number, goods_note.display_number) == (900, 1, "KR-2026-00001")
    assert [(line.description, line.quantity, line.vat_rate) for line in goods_note.lines] == [("Bauernbrot", 2, 7)]
    # The fee on 27,00 € was 2,70 €; on the 18,00 € that stay it is 1,80 €.
    assert fee_note.refers_to.kind == InvoiceKind.PLATFORM_FEE and fee_note.total_cents == 90
    assert fee_note.buyer_user_id is None and goods_note.buyer_user_id == world.resident.id


def test_a_line_cannot_be_credited_beyond_what_was_ordered(world, now):
    order = order_bread_and_wine(world, now, bread=2)
    bread = _line(order, world.bread)
    credit_order_lines(order=order, quantities={bread.id: 2}, reason="Fehlmenge", now=now)
    db.session.commit()
    before = _count()
    with pytest.raises(InvalidCredit):
        credit_order_lines(order=order, quantities={bread.id: 1}, reason="Fehlmenge", now=now)
    assert _count() == before


@pytest.mark.parametrize("quantities", [{}, {"x": 1}, {10**6: 1}, "bread:0", "bread:-1", "bread:1.5", "bread:True"])
def test_bad_quantities_are_refused_and_nothing_is_written(world, now, quantities):
    order = order_bread_and_wine(world, now)
    if isinstance(quantities, str):
        raw = quantities.split(":")[1]
        value = {"0": 0, "-1": -1, "1.5": 1.5, "True": True}[raw]
        quantities = {_line(order, world.bread).id: value}
    before = _count()
    with pytest.raises(InvalidCredit):
        credit_order_lines(order=order, quantities=quantities, reason="x", now=now)
    db.session.rollback()
    assert _count() == before


def test_a_line_of_another_order_is_refused(world, now):
    order = order_bread_and_wine(world, now)
    other = order_bread_and_wine(world, now)
    with pytest.raises(InvalidCredit):
        credit_order_lines(order=order, quantities={_line(other, world.bread).id: 1}, reason="x", now=now)


def test_cancelling_a_confirmed_order_credits_every_invoice_in_full(world, now):
    order = order_bread_and_wine(world, now, door=True, bread=6)
    originals = [i for i in list_order_invoices(order.id) if not i.is_credit_note]
    cancel_order(order=order, actor=world.resident, now=now)
    db.session.commit()
    assert order.status == OrderStatus.CANCELLED
    notes = [i for i in list_order_invoices(order.id) if i.is_credit_note]
    assert sorted((n.refers_to_id, n.total_cents) for n in notes) == sorted((i.id, i.total_cents) for i in originals)
    platform_credit = sorted(n.number for n in notes if n.series == "platform-credit")
    assert platform_credit == [1, 2, 3]  # delivery and two fees


def test_cancelling_after_a_short_line_credits_only_what_is_left(world, now):
    order = order_bread_and_wine(world, now, bread=6, wine=0)
    credit_order_lines(order=order, quantities={_line(order, world.bread).id: 2}, reason="Fehlmenge", now=now)
    cancel_order(order=order, actor=world.resident, now=now)
    db.session.commit()
    sale = next(i for i in list_order_invoices(order.id) if i.kind == InvoiceKind.SALE)
    credited = db.session.scalars(select(Invoice).where(Invoice.refers_to_id == sale.id)).all()
    assert sorted(n.total_cents for n in credited) == [900, 1800]
    fee = next(i for i in list_order_invoices(order.id) if i.kind == InvoiceKind.PLATFORM_FEE)
    assert sum(n.total_cents for n in db.session.scalars(
        select(Invoice).where(Invoice.refers_to_id == fee.id))) == fee.total_cents


def test_an_order_without_invoices_gets_no_credit_note(world, now):
    from marketplace.orders.services import place_order
    from tests.orders.helpers import TUESDAY

    order = place_order(resident=world.resident, items=[(world.bread.id, 1)], delivery_date=TUESDAY,
                        fulfilment=world.sales_point_choice(), payment_method="stripe", now=now)
    with pytest.raises(CreditNotApplicable):
        credit_order_lines(order=order, quantities={order.lines[0].id: 1}, reason="x", now=now)
    cancel_order(order=order, actor=world.resident, now=now)
    assert _count() == 0
