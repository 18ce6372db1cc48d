"""Standing orders: subscribing checks the basket as the checkout does; weekday, pause, skip, end;
the job places each delivery day's order once, before the cut-off, and reports what it could not."""
from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.extensions import db as _db
from marketplace.jobs.registry import JOBS
from marketplace.jobs.runner import tick
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.orders.checkout import (
    ColdChainBroken,
    EmptyOrder,
    InvalidPaymentMethod,
    UnknownProduct,
    WrongSubRegion,
)
from marketplace.orders.checkout.rules import FulfilmentChoice
from marketplace.orders.standing.models import StandingOrder, StandingOrderRun, StandingState
from marketplace.orders.standing.services import (
    AlreadyOrdered,
    InvalidStandingState,
    NotADeliveryWeekday,
    NotAStandingDay,
    StandingOrderEnded,
    change_standing_order,
    end_standing_order,
    next_order_date,
    pause_standing_order,
    resume_standing_order,
    set_state,
    skip_date,
)
from marketplace.payments.providers import PaymentMethodUnavailable
from marketplace.payments.standing import place_due_standing_orders
from tests.conftest import NOW
from tests.orders.helpers import make_world
from tests.orders.standing_helpers import (
    FRIDAY,
    LEAD,
    NEXT_FRIDAY,
    PLACING_TIME,
    THURSDAY_CUTOFF,
    orders_of,
    subscribe,
)

WEEK = timedelta(weeks=1)


@pytest.fixture
def world(db):
    return make_world()


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _notices(db, kind):
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


def _tick_standing(now):
    return tick(now=now, jobs=[JOBS["place_standing_orders"]])[0]


# -- subscribing ------------------------------------------------------------------------------

def test_a_standing_order_orders_on_the_next_friday_whose_cut_off_lies_ahead(db, world):
    standing = subscribe(world)
    assert standing.state == StandingState.ACTIVE and standing.weekday == 5
    assert standing.created_by_id == world.resident.id
    assert sorted((i.product_id, i.quantity) for i in standing.items) == sorted(
        [(world.bread.id, 2), (world.milk.id, 1)])
    assert next_order_date(standing, NOW) == FRIDAY
    assert next_order_date(standing, THURSDAY_CUTOFF - timedelta(seconds=1)) == FRIDAY
    assert next_order_date(standing, THURSDAY_CUTOFF) == NEXT_FRIDAY


def test_staff_who_set_it_up_are_kept(db, world):
    from tests import factories as f

    staff = f.make_user()
    assert subscribe(world, created_by=staff).created_by_id == staff.id


@pytest.mark.parametrize("weekday", [3, 0, 8, "5", 5.0, True, None])
def test_a_weekday_without_delivery_in_the_sub_region_is_refused(db, world, weekday):
    with pytest.raises(NotADeliveryWeekday):
        subscribe(world, weekday=weekday)
    _db.session.rollback()
    assert _count(db, StandingOrder) == 0


@pytest.mark.parametrize("case, error", [
    ("empty", EmptyOrder), ("unknown", UnknownProduct), ("cold_chain", ColdChainBroken),
    ("other_sub_region", WrongSubRegion), ("stripe", PaymentMethodUnavailable),
    ("cash", InvalidPaymentMethod),
])
def test_the_basket_and_place_are_checked_by_the_checkout_rules(db, world, case, error):
    arguments = {
        "empty": {"items": []},
        "unknown": {"items": [(999_999, 1)]},
        "cold_chain": {"items": [(world.milk.id, 1)], "fulfilment": world.station_choice(world.ambient_station)},
        "other_sub_region": {"fulfilment": world.station_choice(world.other_station)},
        "stripe": {"payment_method": "stripe"},
        "cash": {"payment_method": "cash"},
    }[case]
    with pytest.raises(error):
        subscribe(world, **arguments)
    _db.session.rollback()
    assert _count(db, StandingOrder) == 0


def test_a_holiday_on_the_weekday_is_passed_over(db, world):
    standing = subscribe(world)
    # Good Friday, 3 April 2026, is a public holiday: the next order is for the Friday after.
    assert next_order_date(standing, datetime(2026, 3, 28, 12, tzinfo=UTC)) == date(2026, 4, 10)


# -- state changes --------------------------------------------------------------------------

def test_pause_resume_and_end(db, world):
    standing = subscribe(world)
    pause_standing_order(standing, now=NOW)
    assert standing.state == StandingState.PAUSED and next_order_date(standing, NOW) is None
    pause_standing_order(standing, now=NOW)  # again: nothing changes
    later = NOW + timedelta(days=5)
    resume_standing_order(standing, now=later)
    assert standing.state == StandingState.ACTIVE and standing.active_since == later
    assert next_order_date(standing, later) == NEXT_FRIDAY
    end_standing_order(standing, now=later)
    assert standing.state == StandingState.ENDED and standing.ended_at == later
    assert next_order_date(standing, later) is None
    for change in (lambda: resume_standing_order(standing, now=later),
                   lambda: pause_standing_order(standing, now=later),
                   lambda: skip_date(standing, NEXT_FRIDAY, now=later),
                   lambda: change_standing_order(standing, now=later, items=[(world.bread.id, 1)])):
        with pytest.raises(StandingOrderEnded):
            change()
    end_standing_order(standing, now=later)
    assert standing.ended_at == later


@pytest.mark.parametrize("state", ["ended", "stopped", "", None, 1])
def test_only_paused_and_active_can_be_set(db, world, state):
    standing = subscribe(world)
    with pytest.raises(InvalidStandingState):
        set_state(standing, state, now=NOW)
    assert standing.state == StandingState.ACTIVE


def test_skipping_a_date_moves_the_next_order_on(db, world):
    standing = subscribe(world)
    skip_date(standing, FRIDAY, now=NOW)
    skip_date(standing, FRIDAY, now=NOW)  # twice: one skip
    assert standing.skipped_dates == [FRIDAY]
    assert next_order_date(standing, NOW) == NEXT_FRIDAY


@pytest.mark.parametrize("day", [date(2026, 3, 3), date(2026, 2, 27), date(2026, 4, 3), "2026-03-06", None])
def test_only_a_coming_day_of_the_standing_order_can_be_skipped(db, world, day):
    # A Tuesday, a Friday gone, Good Friday, a string, nothing.
    standing = subscribe(world)
    with pytest.raises(NotAStandingDay):
        skip_date(standing, day, now=NOW)
    assert standing.skipped_dates == []


def test_a_day_after_its_cut_off_cannot_be_skipped(db, world):
    standing = subscribe(world)
    with pytest.raises(NotAStandingDay):
        skip_date(standing, FRIDAY, now=THURSDAY_CUTOFF)


def test_a_day_already_ordered_cannot_be_skipped(db, world):
    standing = subscribe(world)
    place_due_standing_orders(now=PLACING_TIME, lead=LEAD)
    standing = db.session.get(StandingOrder, standing.id)
    with pytest.raises(AlreadyOrdered):
        skip_date(standing, FRIDAY, now=PLACING_TIME)


def test_items_and_fulfilment_can_be_changed_under_the_same_rules(db, world):
    standing = subscribe(world)
    change_standing_order(standing, now=NOW, items=[(world.wine.id, 3)],
                          fulfilment=world.sales_point_choice())
    db.session.commit()
    assert [(i.product_id, i.quantity) for i in standing.items] == [(world.wine.id, 3)]
    assert standing.fulfilment == "sales_point" and standing.pickup_place_id == world.sales_point.id
    with pytest.raises(ColdChainBroken):
        change_standing_order(standing, now=NOW, items=[(world.milk.id, 1)])
    db.session.rollback()
    assert [(i.product_id, i.quantity) for i in standing.items] == [(world.wine.id, 3)]
    change_standing_order(standing, now=NOW, fulfilment=FulfilmentChoice("door"),
                          items=[(world.wine.id, 3)])
    assert standing.fulfilment == "door" and standing.pickup_place_id is None


# -- the job --------------------------------------------------------------------------------

def test_the_job_places_the_order_at_the_cut_off_less_the_lead_once_and_skips_a_paused_week(db, world):
    """Done when: a standing order creates the next order at cut-off, skips a paused week."""
    standing = subscribe(world)
    assert _tick_standing(PLACING_TIME - timedelta(minutes=1)).result == "ran"
    assert orders_of(world.resident) == []
    # The job runs every 5 minutes: the first tick at or after 15:00 UTC places Friday's order.
    moments = [PLACING_TIME + timedelta(minutes=m) for m in (4, 5, 9, 10, 30, 60, 119)]
    outcomes = [_tick_standing(moment).result for moment in moments]
    assert outcomes.count("ran") >= 3
    orders = orders_of(world.resident)
    assert [(o.delivery_date, o.status) for o in orders] == [(FRIDAY, "confirmed")]
    assert sorted((line.product_id, line.quantity) for line in orders[0].lines) == sorted(
        [(world.bread.id, 2), (world.milk.id, 1)])
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert (run.delivery_date, run.outcome, run.order_id) == (FRIDAY, "placed", orders[0].id)
    notices = _notices(db, "standing_order_placed")
    assert len(notices) == 1 and notices[0].order_id == orders[0].id
    assert _notices(db, "order_confirmed") == [] and _notices(db, "order_placed") == []
    # The resident pauses before next week: nothing is ordered for 13 March.
    standing = db.session.get(StandingOrder, standing.id)
    pause_standing_order(standing, now=PLACING_TIME + timedelta(days=2))
    db.session.commit()
    for m in (0, 5, 10, 60):
        _tick_standing(PLACING_TIME + WEEK + timedelta(minutes=m))
    assert [o.delivery_date for o in orders_of(world.resident)] == [FRIDAY]
    # Resumed after that week's cut-off: the week after is ordered again.
    standing = db.session.get(StandingOrder, standing.id)
    resume_standing_order(standing, now=THURSDAY_CUTOFF + WEEK + timedelta(hours=1))
    db.session.commit()
    assert next_order_date(standing, THURSDAY_CUTOFF + WEEK + timedelta(hours=1)) == NEXT_FRIDAY + WEEK
    for m in (0, 5, 10):
        _tick_standing(PLACING_TIME + 2 * WEEK + timedelta(minutes=m))
    assert [o.delivery_date for o in orders_of(world.resident)] == [FRIDAY, NEXT_FRIDAY + WEEK]
    assert _notices(db, "standing_order_failed") == []


def test_a_skipped_day_is_not_ordered(db, world):
    standing = subscribe(world)
    skip_date(standing, FRIDAY, now=NOW)
    db.session.commit()
    assert place_due_standing_orders(now=PLACING_TIME, lead=LEAD) == 0
    assert orders_of(world.resident) == []
    assert place_due_standing_orders(now=PLACING_TIME + WEEK, lead=LEAD) == 1
    assert [o.delivery_date for o in orders_of(world.resident)] == [NEXT_FRIDAY]


def test_a_sold_out_line_is_reported_to_the_resident_and_the_rest_ordered(db, world, app):
    """Done when: a standing order reports a sold-out line to the resident."""
    subscribe(world, items=[(world.bread.id, 2), (world.milk.id, 1), (world.wine.id, 1)])
    world.bread.stock = 1
    world.wine.is_active = False
    db.session.commit()
    assert place_due_standing_orders(now=PLACING_TIME, lead=LEAD) == 1
    orders = orders_of(world.resident)
    assert [[(line.product_id, line.quantity) for line in o.lines] for o in orders] == [[(world.milk.id, 1)]]
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert run.outcome == "partial"
    assert [(line["product_id"], line["reason"]) for line in run.not_ordered] == [
        (world.bread.id, "sold_out"), (world.wine.id, "unavailable")]
    notice = _notices(db, "standing_order_placed")[0]
    assert notice.recipient_id == world.resident.id
    texts = render(notice.kind, notice.context, "de")
    assert "Nicht bestellt" in texts.text and "2 × Bauernbrot: ausverkauft" in texts.text
    assert "1 × Riesling: nicht erhältlich" in texts.text and "1 × Vollmilch" in texts.text
    assert "2 Produkte nicht lieferbar" in texts.sms
    english = render(notice.kind, notice.context, "en")
    assert "sold out" in english.text
    assert db.session.get(Product, world.bread.id).stock == 1


def test_nothing_orderable_is_reported_and_nothing_ordered(db, world):
    subscribe(world, items=[(world.bread.id, 2)])
    world.bread.stock = 0
    db.session.commit()
    assert place_due_standing_orders(now=PLACING_TIME, lead=LEAD) == 1
    assert orders_of(world.resident) == []
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert (run.outcome, run.error_code, run.order_id) == ("failed", "nothing_available", None)
    notice = _notices(db, "standing_order_failed")[0]
    assert notice.context["delivery_date"] == FRIDAY.isoformat()
    assert "ausverkauft" in render(notice.kind, notice.context, "de").text
    # Handled: the next tick does not report it again.
    assert place_due_standing_orders(now=PLACING_TIME + timedelta(minutes=5), lead=LEAD) == 0
    assert len(_notices(db, "standing_order_failed")) == 1


def test_a_refusal_of_the_whole_order_is_reported(db, world):
    standing = subscribe(world, items=[(world.bread.id, 2)], fulfilment=world.sales_point_choice())
    world.sales_point.is_active = False
    db.session.commit()
    place_due_standing_orders(now=PLACING_TIME, lead=LEAD)
    assert orders_of(world.resident) == []
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert run.outcome == "failed" and run.error_code == "pickup_place_unavailable"
    text = render("standing_order_failed", _notices(db, "standing_order_failed")[0].context, "de").text
    assert "Abholort" in text
    assert db.session.get(StandingOrder, standing.id).last_run_date == FRIDAY


def test_a_day_whose_cut_off_passed_before_any_tick_is_reported_not_placed(db, world):
    subscribe(world)
    assert place_due_standing_orders(now=THURSDAY_CUTOFF + timedelta(minutes=1), lead=LEAD) == 1
    assert orders_of(world.resident) == []
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert (run.delivery_date, run.error_code) == (FRIDAY, "cutoff_passed")
    assert len(_notices(db, "standing_order_failed")) == 1
    assert place_due_standing_orders(now=PLACING_TIME + WEEK, lead=LEAD) == 1
    assert [o.delivery_date for o in orders_of(world.resident)] == [NEXT_FRIDAY]


def test_a_standing_order_created_inside_the_lead_is_placed_by_the_next_tick(db, world):
    subscribe(world, now=THURSDAY_CUTOFF - timedelta(minutes=30))
    assert place_due_standing_orders(now=THURSDAY_CUTOFF - timedelta(minutes=25), lead=LEAD) == 1
    assert [o.delivery_date for o in orders_of(world.resident)] == [FRIDAY]


def test_the_lead_time_is_configurable(db, world, app, monkeypatch):
    subscribe(world)
    monkeypatch.setitem(app.config, "STANDING_ORDER_LEAD_MINUTES", 30)
    assert _tick_standing(PLACING_TIME).result == "ran"
    assert orders_of(world.resident) == []
    _tick_standing(THURSDAY_CUTOFF - timedelta(minutes=30))
    assert [o.delivery_date for o in orders_of(world.resident)] == [FRIDAY]


def test_two_concurrent_runs_place_each_standing_order_once(db, world, app):
    residents = [world.resident]
    from tests import factories as f

    home = world.resident.home_place
    for _ in range(4):
        residents.append(f.make_user(home=home))
    db.session.commit()
    for resident in residents:
        world.resident = resident
        subscribe(world)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                results.append(place_due_standing_orders(now=PLACING_TIME, lead=LEAD))
            except Exception as error:  # pragma: no cover - shown by the assertion
                errors.append(error)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(results) == len(residents)
    db.session.expire_all()
    per_resident = [len(orders_of(resident)) for resident in residents]
    assert per_resident == [1] * len(residents)
    assert _count(db, StandingOrderRun) == len(residents)
    assert len(_notices(db, "standing_order_placed")) == len(residents)


def test_a_line_taken_by_a_checkout_between_the_look_and_the_order_is_reported(db, world, monkeypatch):
    # The look at the stock says yes, the guarded UPDATE says no: as if a checkout came between.
    from marketplace.payments import standing as placing

    subscribe(world, items=[(world.bread.id, 2), (world.milk.id, 1)])
    world.bread.stock = 1
    db.session.commit()
    monkeypatch.setattr(placing, "check_in_stock", lambda product, quantity: None)
    assert place_due_standing_orders(now=PLACING_TIME, lead=LEAD) == 1
    orders = orders_of(world.resident)
    assert [[line.product_id for line in o.lines] for o in orders] == [[world.milk.id]]
    run = db.session.scalars(select(StandingOrderRun)).one()
    assert run.outcome == "partial" and [(line["product_id"], line["reason"]) for line in run.not_ordered] == [
        (world.bread.id, "sold_out")]
    assert db.session.get(Product, world.bread.id).stock == 1


def test_an_order_placed_for_a_standing_order_set_up_by_staff_names_them(db, world):
    from tests import factories as f

    staff = f.make_user()
    subscribe(world, created_by=staff)
    place_due_standing_orders(now=PLACING_TIME, lead=LEAD)
    (order,) = orders_of(world.resident)
    assert order.placed_by_id == staff.id


def test_flask_jobs_tick_places_the_standing_order_once(db, world, runner, app):
    subscribe(world)
    first = runner.invoke(args=["jobs", "tick", "--now", PLACING_TIME.isoformat()])
    assert "place_standing_orders: ran (1)" in first.output, first.output
    later = PLACING_TIME + timedelta(minutes=5)
    again = runner.invoke(args=["jobs", "tick", "--now", later.isoformat()])
    assert "place_standing_orders: ran (0)" in again.output, again.output
    assert [o.delivery_date for o in orders_of(world.resident)] == [FRIDAY]
    app.extensions["mailman"].outbox = []
