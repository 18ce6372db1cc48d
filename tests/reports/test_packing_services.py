"""Packing a day: real weights, short lines, packed, the cut-off lists and the minimum."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.jobs.registry import JOBS
from marketplace.orders import packing
from marketplace.orders.checkout.options import vat_of_order
from marketplace.orders.models import (
    OrderLine,
    OrderStatus,
    ProducerDay,
    ProducerDayState,
)
from marketplace.reports.packing.queries import load_producer_day
from tests import factories as f
from tests.reports.packing_world import (
    AFTER_MONDAY_CUTOFF,
    NOW,
    TUESDAY,
    make_packing_world,
    notices,
    order_for,
)


@pytest.fixture
def pw(db):
    return make_packing_world()


def _line(order, product):
    return next(line for line in order.lines if line.product_id == product.id)


def test_an_order_line_of_a_variable_weight_product_keeps_its_price_per_kg_and_bound(pw):
    order = order_for(pw, [(pw.roast, 2)])
    line = _line(order, pw.roast)
    assert (line.price_per_kg_cents, line.nominal_weight_g, line.weight_tolerance_pct) == (1200, 500, 20)
    assert line.total_cents == 1200


def test_the_real_weight_sets_the_price_and_the_totals_and_vat_follow(pw):
    order = order_for(pw, [(pw.roast, 2), (pw.bread, 1)])
    line = _line(order, pw.roast)
    packing.weigh_line(line=line, weight_grams=1130, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert line.total_cents == 1356  # 1.130 kg × 12,00 €
    assert order.items_total_cents == 1356 + 450 and order.total_cents == order.items_total_cents
    producer_order = next(po for po in order.producer_orders if po.producer_id == pw.producer_a.id)
    assert producer_order.items_total_cents == 1806
    [vat] = vat_of_order(order)
    assert (vat.rate, vat.gross_cents, vat.vat_cents) == (7, 1806, 118)
    [notice] = notices("order_line_weighed", pw.resident)
    assert notice.context["line_total_cents"] == 1356 and notice.context["total_cents"] == 1806


@pytest.mark.parametrize("grams", [799, 1201, 0, -5, "1000", 1000.5, None])
def test_a_weight_outside_the_bound_is_refused_and_nothing_changes(pw, grams):
    order = order_for(pw, [(pw.roast, 2)])
    line = _line(order, pw.roast)
    with pytest.raises(packing.WeightOutOfBounds) as refused:
        packing.weigh_line(line=line, weight_grams=grams, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    assert refused.value.params == {"low": 800, "high": 1200}
    db.session.rollback()
    assert (line.weight_grams, line.total_cents, order.total_cents) == (None, 1200, 1200)
    assert notices("order_line_weighed") == []


def test_a_fixed_price_line_cannot_be_weighed(pw):
    order = order_for(pw, [(pw.bread, 1)])
    with pytest.raises(packing.NotVariableWeight):
        packing.weigh_line(line=order.lines[0], weight_grams=500, actor=pw.staff_a, now=NOW)


def test_the_database_refuses_a_line_total_that_does_not_add_up(pw):
    order = order_for(pw, [(pw.roast, 1)])
    line_id = order.lines[0].id
    with pytest.raises(IntegrityError):
        db.session.execute(update(OrderLine).where(OrderLine.id == line_id).values(weight_grams=500, total_cents=1))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):  # within the cents, but outside the ±20 %
        db.session.execute(update(OrderLine).where(OrderLine.id == line_id).values(weight_grams=700, total_cents=840))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(update(OrderLine).where(OrderLine.id == line_id).values(short_quantity=1))
        db.session.flush()


def test_a_short_line_records_what_is_missing_and_tells_the_resident(pw):
    order = order_for(pw, [(pw.bread, 3), (pw.milk, 2)])
    line = _line(order, pw.bread)
    packing.mark_line_short(line=line, short_quantity=2, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert (line.short_quantity, line.short_cents, line.total_cents) == (2, 900, 450)
    assert order.items_total_cents == 450 + 298 and order.status == OrderStatus.CONFIRMED
    [notice] = notices("order_line_short", pw.resident)
    assert notice.context["short_cents"] == 900 and notice.context["product_name"] == "Bauernbrot"
    # The two units are credited on the invoice now: a credit note cannot be taken back.
    from marketplace.payments.corrections import ShortAlreadyRefunded

    with pytest.raises(ShortAlreadyRefunded):
        packing.mark_line_short(line=line, short_quantity=0, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.rollback()
    assert (line.short_cents, line.total_cents, order.items_total_cents) == (900, 450, 748)


@pytest.mark.parametrize("quantity", [-1, 4, "2", None, 1.5])
def test_a_wrong_short_quantity_is_refused(pw, quantity):
    order = order_for(pw, [(pw.bread, 3)])
    with pytest.raises(packing.InvalidShortQuantity):
        packing.mark_line_short(line=order.lines[0], short_quantity=quantity, actor=pw.staff_a, now=NOW)
    db.session.rollback()
    assert order.lines[0].short_quantity == 0 and notices("order_line_short") == []


def test_an_order_with_nothing_left_is_cancelled(pw):
    order = order_for(pw, [(pw.bread, 1)])
    packing.mark_line_short(line=order.lines[0], short_quantity=1, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert order.status == OrderStatus.CANCELLED and order.total_cents == 0


def test_shortening_a_weighed_line_asks_for_its_weight_again(pw):
    order = order_for(pw, [(pw.roast, 2)])
    line = _line(order, pw.roast)
    packing.weigh_line(line=line, weight_grams=1000, actor=pw.staff_a, now=NOW)
    packing.mark_line_short(line=line, short_quantity=1, actor=pw.staff_a, now=NOW)
    db.session.commit()
    assert (line.weight_grams, line.total_cents) == (None, 600)


def test_packing_waits_for_the_cutoff(pw):
    order_for(pw, [(pw.bread, 1)])
    with pytest.raises(packing.CutoffNotReached):
        packing.mark_day_packed(producer=pw.producer_a, day=TUESDAY, actor=pw.staff_a, now=NOW)


def test_an_order_is_packed_when_all_its_producers_have_packed(pw):
    both = order_for(pw, [(pw.bread, 1), (pw.milk, 1)])
    only_a = order_for(pw, [(pw.cake, 1)])
    result = packing.mark_day_packed(producer=pw.producer_a, day=TUESDAY, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert result.producer_orders == 2 and result.orders_packed == [only_a.number]
    assert both.status == OrderStatus.CONFIRMED and only_a.status == OrderStatus.PACKED
    packing.mark_day_packed(producer=pw.producer_b, day=TUESDAY, actor=pw.staff_b, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert both.status == OrderStatus.PACKED
    assert [e.kind for e in both.events][-1] == "packed"


def test_an_order_whose_other_producer_has_nothing_left_is_packed_by_the_one_who_delivers(pw):
    both = order_for(pw, [(pw.bread, 1), (pw.milk, 1)])
    packing.mark_line_short(line=_line(both, pw.milk), short_quantity=1, actor=pw.staff_b, now=AFTER_MONDAY_CUTOFF)
    packing.mark_day_packed(producer=pw.producer_a, day=TUESDAY, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    assert both.status == OrderStatus.PACKED


def test_a_packed_order_on_its_way_can_no_longer_change(pw):
    order = order_for(pw, [(pw.cake, 1)])
    packing.mark_day_packed(producer=pw.producer_a, day=TUESDAY, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    from marketplace.orders.transitions import move_order
    move_order(order, OrderStatus.IN_TRANSIT, now=AFTER_MONDAY_CUTOFF)
    with pytest.raises(packing.LineNotChangeable):
        packing.mark_line_short(line=order.lines[0], short_quantity=1, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)


def test_the_cutoff_list_goes_to_each_producer_once(pw):
    order_for(pw, [(pw.bread, 2), (pw.milk, 1)])
    order_for(pw, [(pw.bread, 1)])
    assert packing.send_cutoff_lists(now=NOW) == 0  # before the cut-off: nothing yet
    assert packing.send_cutoff_lists(now=AFTER_MONDAY_CUTOFF) == 2
    db.session.commit()
    [to_a] = notices("producer_day_list", pw.staff_a)
    assert to_a.context["orders"] == 2 and to_a.context["lines"] == [{"name": "Bauernbrot", "quantity": 3}]
    assert len(notices("producer_day_list", pw.staff_b)) == 1
    assert packing.send_cutoff_lists(now=AFTER_MONDAY_CUTOFF) == 0
    assert len(notices("producer_day_list")) == 2
    assert JOBS["send_cutoff_lists"].run(AFTER_MONDAY_CUTOFF) == 0


def test_below_the_minimum_the_producer_is_asked_and_can_deliver_anyway(pw):
    packing.set_minimum(producer=pw.producer_a, sub_region_id=pw.sub_region.id, minimum_cents=5000)
    order_for(pw, [(pw.bread, 2)])
    packing.send_cutoff_lists(now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    [asked] = notices("producer_day_below_minimum", pw.staff_a)
    assert asked.context["turnover_cents"] == 900 and asked.context["minimum_cents"] == 5000
    day = db.session.scalars(select(ProducerDay)).one()
    assert day.state == ProducerDayState.AWAITING
    with pytest.raises(packing.DayAwaitingDecision):
        packing.mark_day_packed(producer=pw.producer_a, day=TUESDAY, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    packing.decide_day(producer_day=day, deliver=True, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    assert day.state == ProducerDayState.CONFIRMED
    with pytest.raises(packing.DayNotAwaiting):
        packing.decide_day(producer_day=day, deliver=False, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)


def test_declining_a_day_cancels_the_lines_gives_stock_back_and_tells_the_residents(pw):
    packing.set_minimum(producer=pw.producer_a, sub_region_id=pw.sub_region.id, minimum_cents=5000)
    mixed = order_for(pw, [(pw.bread, 2), (pw.milk, 1)])
    only_a = order_for(pw, [(pw.bread, 3)])
    assert pw.bread.stock == 15
    packing.send_cutoff_lists(now=AFTER_MONDAY_CUTOFF)
    day = db.session.scalars(select(ProducerDay).where(ProducerDay.producer_id == pw.producer_a.id)).one()
    packing.decide_day(producer_day=day, deliver=False, actor=pw.staff_a, now=AFTER_MONDAY_CUTOFF)
    db.session.commit()
    db.session.refresh(pw.bread)
    assert pw.bread.stock == 20
    assert mixed.status == OrderStatus.CONFIRMED and mixed.items_total_cents == 149
    bread_line = _line(mixed, pw.bread)
    assert (bread_line.short_quantity, bread_line.short_cents, bread_line.total_cents) == (2, 900, 0)
    assert only_a.status == OrderStatus.CANCELLED
    assert len(notices("order_lines_declined", pw.resident)) == 2


def test_a_minimum_must_be_a_positive_amount(pw):
    for wrong in (0, -100, "50", 10_000_001):
        with pytest.raises(packing.InvalidMinimum):
            packing.set_minimum(producer=pw.producer_a, sub_region_id=pw.sub_region.id, minimum_cents=wrong)
    assert packing.set_minimum(producer=pw.producer_a, sub_region_id=pw.sub_region.id, minimum_cents=None) is None


def _count_queries(function):
    statements = []

    def count(*args):
        if not args[2].lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = function()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def test_a_day_is_read_in_a_fixed_number_of_queries_whatever_its_size(pw):
    producer_id = pw.producer_a.id
    order_for(pw, [(pw.bread, 1), (pw.roast, 1)])
    db.session.expire_all()
    small, few = _count_queries(lambda: load_producer_day(producer_id, TUESDAY))
    residents = [f.make_user(home=pw.resident.home_place) for _ in range(15)]
    db.session.commit()
    for resident in residents:  # at a sales point, which has room for all (a station has a few compartments)
        order_for(pw, [(pw.bread, 1), (pw.cake, 2), (pw.roast, 1)], resident=resident,
                  fulfilment=pw.world.sales_point_choice(pw.world.chilled_sales_point))
    db.session.expire_all()
    large, many = _count_queries(lambda: load_producer_day(producer_id, TUESDAY))
    assert small.line_count == 2 and large.line_count == 2 + 45
    assert few == many == 2
    # Rendering touches nothing that would load more.
    _, touched = _count_queries(lambda: [(o.resident_name, o.place_name, o.street, [ln.product_name for ln in o.lines])
                                         for o in large.orders] and large.labels())
    assert touched == 0


def test_the_packing_list_shows_the_street_only_for_door_deliveries(pw):
    from marketplace.orders.checkout import FulfilmentChoice

    order_for(pw, [(pw.bread, 1)])
    door = FulfilmentChoice("door", window="08:00-12:00")  # to the home address
    order_for(pw, [(pw.bread, 10)], fulfilment=door)
    sheet = load_producer_day(pw.producer_a.id, TUESDAY)
    by_kind = {o.fulfilment.value: o for o in sheet.orders}
    assert by_kind["station"].street is None and by_kind["station"].place_name == pw.station.name
    assert by_kind["door"].street == "Hauptstraße 1"
    assert [g.fulfilment.value for g in sheet.groups] == ["station", "door"]
