"""Short lines and goods nobody collected: a refund of exactly their worth (online), a credit note
on the invoice (pay on pickup, invoice), once, by the region's rule for perishables."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.collection import expire_uncollected, record_not_collected
from marketplace.orders.models import OrderStatus
from marketplace.orders.packing import mark_line_short
from marketplace.orders.transitions import move_order
from marketplace.payments.corrections import ShortAlreadyRefunded
from marketplace.payments.invoice_models import Invoice, InvoiceKind
from marketplace.payments.invoices import list_order_invoices
from marketplace.payments.models import Transfer, TransferStatus
from marketplace.payments.payouts import pay_out_delivered
from marketplace.payments.services import submit_order
from tests import factories as f
from tests.orders.helpers import TUESDAY
from tests.payments.helpers import Refund, count, get_payment, onboard, paid_order, waiting_at_its_place
from tests.payments.invoice_helpers import allow_invoice


def _line(order, product):
    return next(line for line in order.lines if line.product_id == product.id)


def order_paid_later(world, now, items, *, method="pay_on_pickup"):
    order, _ = submit_order(resident=world.resident, items=items, delivery_date=TUESDAY,
                            fulfilment=world.sales_point_choice(world.chilled_sales_point),
                            payment_method=method, now=now)
    db.session.commit()
    return order


def _refunds(order_id):
    db.session.expire_all()
    return sorted((r.key, r.amount_cents, r.producer_id) for r in db.session.scalars(
        select(Refund).join(Refund.payment).where(Refund.payment.has(order_id=order_id))))


def _credit_notes(order_id):
    return [i for i in list_order_invoices(order_id) if i.kind == InvoiceKind.CREDIT_NOTE]


# -- short lines, online ------------------------------------------------------------------------

def test_a_short_line_is_refunded_its_worth_once_and_more_units_refund_the_difference(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6), (world.milk.id, 2)])
    intent = get_payment(order.id).intent_id
    bread = _line(order, world.bread)
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    db.session.commit()
    assert _refunds(order.id) == [(f"short:line:{bread.id}:2", 900, world.producer_a.id)]
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)  # a double click
    db.session.commit()
    mark_line_short(line=bread, short_quantity=3, actor=None, now=now)
    db.session.commit()
    assert _refunds(order.id) == [(f"short:line:{bread.id}:2", 900, world.producer_a.id),
                                  (f"short:line:{bread.id}:3", 450, world.producer_a.id)]
    assert fake.refunded(intent) == 1350 == get_payment(order.id).refunded_cents
    assert order.status == OrderStatus.CONFIRMED and order.total_cents == 2700 + 298 - 1350


def test_a_retry_after_a_lost_commit_refunds_nothing_twice(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    intent = get_payment(order.id).intent_id
    mark_line_short(line=_line(order, world.bread), short_quantity=2, actor=None, now=now)
    db.session.rollback()  # Stripe refunded, the commit never happened
    assert count(Refund) == 0 and fake.refunded(intent) == 900
    order = db.session.get(type(order), order.id)
    mark_line_short(line=_line(order, world.bread), short_quantity=2, actor=None, now=now)
    db.session.commit()
    assert count(Refund) == 1 and fake.refunded(intent) == 900 == get_payment(order.id).refunded_cents


def test_fewer_short_units_than_refunded_are_refused_and_nothing_changes(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    bread = _line(order, world.bread)
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    db.session.commit()
    with pytest.raises(ShortAlreadyRefunded):
        mark_line_short(line=bread, short_quantity=1, actor=None, now=now)
    db.session.commit()
    db.session.expire_all()
    assert (bread.short_quantity, bread.total_cents, order.total_cents) == (2, 1800, 1800)
    assert count(Refund) == 1


def test_the_short_quantity_is_refused_through_the_api_with_its_code(client, world, fake, now):
    from marketplace.accounts.models import Role
    from marketplace.api.auth import issue_token

    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    bread = _line(order, world.bread)
    staff = f.make_user(role=Role.PRODUCER, scope_id=world.producer_a.id)
    db.session.commit()
    token = issue_token(staff)
    headers = {"Authorization": f"Bearer {token}"}
    first = client.patch(f"/api/v1/producer/lines/{bread.id}", json={"short_quantity": 2}, headers=headers)
    assert first.status_code == 200, first.get_json()
    second = client.patch(f"/api/v1/producer/lines/{bread.id}", json={"short_quantity": 0}, headers=headers)
    assert second.status_code == 409 and second.get_json()["error"] == "short_already_refunded"
    db.session.expire_all()
    assert db.session.get(type(bread), bread.id).short_quantity == 2 and count(Refund) == 1


def test_an_order_with_nothing_left_is_cancelled_and_refunded_in_full_never_more(world, fake, now):
    door = FulfilmentChoice("door", window="08:00-12:00")
    order = paid_order(world, fake, now, [(world.bread.id, 6)], fulfilment=door)
    payment = get_payment(order.id)
    assert payment.captured_cents == 2700 + 390
    bread = _line(order, world.bread)
    mark_line_short(line=bread, short_quantity=6, actor=None, now=now)
    db.session.commit()
    assert order.status == OrderStatus.CANCELLED
    assert _refunds(order.id) == [("cancelled", 390, None), (f"short:line:{bread.id}:6", 2700, world.producer_a.id)]
    assert fake.refunded(payment.intent_id) == 3090 == get_payment(order.id).refunded_cents


def test_the_transfer_leaves_a_refunded_short_line_out_once(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    mark_line_short(line=_line(order, world.bread), short_quantity=2, actor=None, now=now)
    for status in (OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED):
        move_order(order, status, now=now)
    onboard(world.producer_a, fake, now)
    assert pay_out_delivered(now=now) == 1
    transfer = db.session.scalars(select(Transfer).where(Transfer.order_id == order.id)).one()
    # 6 × 4,50 € ordered, 2 refunded: 18,00 € of goods, less the 10 % fee.
    assert (transfer.goods_cents, transfer.fee_cents, transfer.amount_cents) == (1800, 180, 1620)


# -- short lines, pay on pickup and invoice -------------------------------------------------------

@pytest.mark.parametrize("method", ["pay_on_pickup", "invoice"])
def test_a_short_line_paid_later_gets_a_credit_note_on_its_invoice(world, now, method):
    if method == "invoice":
        allow_invoice(world.resident, now=now)
    order = order_paid_later(world, now, [(world.bread.id, 6), (world.milk.id, 2)], method=method)
    sale = next(i for i in list_order_invoices(order.id)
                if i.kind == InvoiceKind.SALE and i.producer_id == world.producer_a.id)
    bread = _line(order, world.bread)
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    mark_line_short(line=bread, short_quantity=3, actor=None, now=now)
    db.session.commit()
    goods = [n for n in _credit_notes(order.id) if n.refers_to_id == sale.id]
    assert [(n.total_cents, [(line.quantity, line.order_line_id) for line in n.lines]) for n in goods] == [
        (900, [(2, bread.id)]), (450, [(1, bread.id)])]
    assert count(Refund) == 0
    with pytest.raises(ShortAlreadyRefunded):
        mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    db.session.rollback()
    assert len([n for n in _credit_notes(order.id) if n.refers_to_id == sale.id]) == 2


# -- goods nobody collected ------------------------------------------------------------------------

@pytest.mark.parametrize("refund_perishables, refunded", [(False, 900), (True, 900 + 298)])
def test_expired_goods_are_refunded_by_the_regions_rule(world, fake, now, refund_perishables, refunded):
    world.sub_region.region.refund_expired_perishables = refund_perishables
    order = paid_order(world, fake, now, [(world.bread.id, 2), (world.milk.id, 2)])
    waiting_at_its_place(order, now)
    assert expire_uncollected(now=now + timedelta(hours=25)) == 1
    db.session.commit()
    assert order.status == OrderStatus.NOT_COLLECTED
    keys = {f"not_collected:line:{_line(order, world.bread).id}"}
    if refund_perishables:
        keys.add(f"not_collected:line:{_line(order, world.milk).id}")
    assert {key for key, _, _ in _refunds(order.id)} == keys
    assert fake.refunded(get_payment(order.id).intent_id) == refunded == get_payment(order.id).refunded_cents
    assert expire_uncollected(now=now + timedelta(hours=26)) == 0  # the job ticks again
    assert count(Refund) == len(keys)


def test_an_expired_short_line_is_refunded_only_for_what_was_packed(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 6)])
    bread = _line(order, world.bread)
    mark_line_short(line=bread, short_quantity=2, actor=None, now=now)
    waiting_at_its_place(order, now)
    expire_uncollected(now=now + timedelta(hours=25))
    db.session.commit()
    assert sorted(a for _, a, _ in _refunds(order.id)) == [900, 1800]
    assert get_payment(order.id).refunded_cents == 2700 == get_payment(order.id).captured_cents


def test_a_refund_of_goods_already_paid_out_reverses_the_producers_share(world, fake, now):
    order = paid_order(world, fake, now, [(world.bread.id, 2)])
    stay = waiting_at_its_place(order, now)
    onboard(world.producer_a, fake, now)
    assert pay_out_delivered(now=now) == 1
    transfer = db.session.scalars(select(Transfer).where(Transfer.order_id == order.id)).one()
    assert (transfer.status, transfer.amount_cents) == (TransferStatus.SENT, 810)
    expire_uncollected(now=stay.collect_by + timedelta(minutes=1))
    db.session.commit()
    db.session.refresh(transfer)
    assert transfer.reversed_cents == 810 and fake.transfers[transfer.stripe_transfer_id]["reversed"] == 810


@pytest.mark.parametrize("refund_perishables, credited", [(False, [900]), (True, [900, 298])])
def test_goods_not_collected_on_invoice_are_credited_by_the_regions_rule(world, now, refund_perishables, credited):
    world.sub_region.region.refund_expired_perishables = refund_perishables
    allow_invoice(world.resident, now=now)
    order = order_paid_later(world, now, [(world.bread.id, 2), (world.milk.id, 2)], method="invoice")
    stay = waiting_at_its_place(order, now)
    record_not_collected(stay, staff=f.make_user(), now=now + timedelta(hours=1))
    db.session.commit()
    sales = {i.id: i for i in list_order_invoices(order.id) if i.kind == InvoiceKind.SALE}
    goods = [n for n in _credit_notes(order.id) if n.refers_to_id in sales]
    assert sorted(n.total_cents for n in goods) == sorted(credited)
    assert all(n.reason == "Nicht abgeholt" for n in goods)


def test_goods_not_collected_paid_on_pickup_refund_nothing_online(world, fake, now):
    order = order_paid_later(world, now, [(world.bread.id, 2)])
    stay = waiting_at_its_place(order, now)
    record_not_collected(stay, staff=f.make_user(), now=now + timedelta(hours=1))
    db.session.commit()
    assert count(Refund) == 0 and fake.refunds == {}
    [note] = [n for n in _credit_notes(order.id) if n.refers_to.kind == InvoiceKind.SALE]
    assert note.total_cents == 900
    assert db.session.get(Invoice, note.refers_to_id).order_id == order.id


# -- weighed lines --------------------------------------------------------------------------------

def test_a_weighed_line_lighter_than_paid_for_is_refunded_the_difference_once_when_paid_out(world, fake, now):
    from marketplace.catalog.models import Unit
    from marketplace.orders.packing import weigh_line

    roast = f.make_product(world.producer_a, name="Schweinebraten", unit=Unit.PIECE, unit_weight_g=500,
                           weight_tolerance_pct=20, price_cents=600, vat_rate=7, stock=30)
    db.session.commit()
    order = paid_order(world, fake, now, [(roast.id, 2)])
    line = _line(order, roast)
    weigh_line(line=line, weight_grams=900, actor=None, now=now)  # 0,9 kg at 12,00 €/kg: 10,80 €
    weigh_line(line=line, weight_grams=950, actor=None, now=now)  # weighed again before it leaves
    assert count(Refund) == 0
    for status in (OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED):
        move_order(order, status, now=now)
    onboard(world.producer_a, fake, now)
    assert pay_out_delivered(now=now) == 1
    assert pay_out_delivered(now=now) == 0
    assert _refunds(order.id) == [(f"weight:line:{line.id}", 1200 - 1140, world.producer_a.id)]
    assert fake.refunded(get_payment(order.id).intent_id) == 60
    transfer = db.session.scalars(select(Transfer).where(Transfer.order_id == order.id)).one()
    # The producer is paid the weighed price: the refund does not come off it a second time.
    assert (transfer.goods_cents, transfer.amount_cents) == (1140, 1140 - 114)


def test_declining_a_day_below_the_minimum_refunds_the_producers_lines(world, fake, now):
    from marketplace.orders.models import ProducerDay
    from marketplace.orders.packing import decide_day, send_cutoff_lists, set_minimum
    from tests.orders.helpers import AFTER_MONDAY_CUTOFF

    set_minimum(producer=world.producer_a, sub_region_id=world.sub_region.id, minimum_cents=5000)
    mixed = paid_order(world, fake, now, [(world.bread.id, 2), (world.milk.id, 1)])
    only_a = paid_order(world, fake, now, [(world.bread.id, 3)])
    send_cutoff_lists(now=AFTER_MONDAY_CUTOFF)
    day = db.session.scalars(select(ProducerDay).where(ProducerDay.producer_id == world.producer_a.id)).one()
    decide_day(producer_day=day, deliver=False, actor=None, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert _refunds(mixed.id) == [(f"short:line:{_line(mixed, world.bread).id}:2", 900, world.producer_a.id)]
    assert only_a.status == OrderStatus.CANCELLED
    assert _refunds(only_a.id) == [(f"short:line:{_line(only_a, world.bread).id}:3", 1350, world.producer_a.id)]
    assert get_payment(only_a.id).refunded_cents == get_payment(only_a.id).captured_cents == 1350
