"""Standing orders with their payment: subscribing, and placing the due ones (the job's service).

Placing happens a lead time before the cut-off (`STANDING_ORDER_LEAD_MINUTES`, default 120):
`place_order` refuses once the cut-off has passed, and the resident still has until the cut-off
to cancel or to order what was sold out. Each standing order and delivery day is handled once:
a `standing_order_runs` row, unique per (standing order, day), is written in the same
transaction as the order; a second tick (or a concurrent one) finds it and does nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.core.clock import local_today
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.checkout.context import load_products
from marketplace.orders.checkout.errors import InvalidPaymentMethod, OutOfStock
from marketplace.orders.checkout.rules import check_available_on, check_in_stock, check_orderable
from marketplace.orders.models import PaymentMethod
from marketplace.orders.standing.models import RunOutcome, StandingOrder, StandingOrderRun, StandingState
from marketplace.orders.standing.notices import notify_standing_failed, notify_standing_placed
from marketplace.orders.standing.services import change_standing_order as change_items_or_place
from marketplace.orders.standing.services import choice_of, create_standing_order, pending_days
from marketplace.payments.providers import PaymentMethodUnavailable, check_method_offered, get_provider
from marketplace.payments.services import submit_order
from marketplace.regions.schedule import DeliveryDay

DEFAULT_LEAD = timedelta(hours=2)
# Methods a job can pay with: nothing for the resident to confirm (a card would need them).
UNATTENDED_METHODS = (PaymentMethod.PAY_ON_PICKUP, PaymentMethod.INVOICE)


def check_standing_payment_method(method: object) -> PaymentMethod:
    try:
        method = PaymentMethod(method)
    except ValueError:
        raise InvalidPaymentMethod() from None
    if method not in UNATTENDED_METHODS:
        raise PaymentMethodUnavailable()
    get_provider(method)
    return method


def _check_offered(standing: StandingOrder) -> None:
    """The checkout's rule: the method must be offered for this place (or the door) in the
    resident's sub-region (422 `payment_method_unavailable`: pay on pickup at a parcel station)."""
    sub_region = standing.resident.home_sub_region
    check_method_offered(standing.payment_method, sub_region_id=sub_region.id if sub_region else None,
                         fulfilment=standing.fulfilment, resident=standing.resident)


def submit_standing_order(*, payment_method: object, **fields) -> StandingOrder:
    """`create_standing_order` with a payment method this installation can take unattended and
    the chosen place offers; nothing is written when either is refused."""
    method = check_standing_payment_method(payment_method)
    # In a savepoint, as at the checkout: the place's own refusals come first, then the method's.
    with db.session.begin_nested():
        standing = create_standing_order(payment_method=method, **fields)
        _check_offered(standing)
    return standing


def change_standing_order(standing: StandingOrder, **changes) -> StandingOrder:
    """`orders.standing.services.change_standing_order`, refused (nothing changed) when the new
    place does not offer the standing order's payment method."""
    with db.session.begin_nested():
        change_items_or_place(standing, **changes)
        _check_offered(standing)
    return standing


def _line(item, reason: str) -> dict:
    name = item.product.name if item.product is not None else str(item.product_id)
    return {"product_id": item.product_id, "name": name, "quantity": item.quantity, "reason": reason}


def _split_lines(standing: StandingOrder, day: DeliveryDay) -> tuple[list[tuple[int, int]], list[dict]]:
    """The lines that can be filled now, by the checkout's rules, and those that cannot."""
    products = load_products(item.product_id for item in standing.items)
    fillable, not_ordered = [], []
    for item in standing.items:
        try:
            check_orderable([item.product_id], products)
            check_available_on([products[item.product_id]], day.date)
            check_in_stock(products[item.product_id], item.quantity)
        except OutOfStock:
            not_ordered.append(_line(item, "sold_out"))
        except DomainError:
            not_ordered.append(_line(item, "unavailable"))
        else:
            fillable.append((item.product_id, item.quantity))
    return fillable, not_ordered


def _place(standing: StandingOrder, day: DeliveryDay, run: StandingOrderRun, *, now: datetime) -> None:
    fillable, not_ordered = _split_lines(standing, day)
    by_name = {item.product.name: item for item in standing.items if item.product is not None}
    placed_by = standing.created_by if standing.created_by_id != standing.resident_id else None
    while fillable:
        try:
            with db.session.begin_nested():
                order, _ = submit_order(
                    resident=standing.resident, items=fillable, delivery_date=day.date,
                    fulfilment=choice_of(standing), payment_method=standing.payment_method, now=now,
                    placed_by=placed_by,
                )
        except OutOfStock as error:
            # Taken by a checkout between the look and the order: report that line, order the rest.
            item = by_name.get(error.params.get("product"))
            if item is None or (item.product_id, item.quantity) not in fillable:
                run.error_code = error.code
                break
            fillable.remove((item.product_id, item.quantity))
            not_ordered.append(_line(item, "sold_out"))
            continue
        except DomainError as error:
            run.error_code = error.code
            break
        run.order_id = order.id
        run.outcome = RunOutcome.PARTIAL if not_ordered else RunOutcome.PLACED
        run.not_ordered = not_ordered
        notify_standing_placed(standing, order, not_ordered, now=now)
        return
    if run.error_code is not None:
        not_ordered = [_line(item, "unavailable") for item in standing.items]
    run.error_code = run.error_code or "nothing_available"
    run.outcome, run.not_ordered = RunOutcome.FAILED, not_ordered
    notify_standing_failed(standing, day.date, not_ordered, run.error_code, now=now)


def _due_day(standing: StandingOrder, now: datetime, lead: timedelta) -> DeliveryDay | None:
    # A day missed (no tick before its cut-off) is reported up to a week after; older ones are
    # history, not news.
    day = next(pending_days(standing, since=local_today(now) - timedelta(days=7)), None)
    return day if day is not None and day.cutoff_at - lead <= now else None


def run_standing_order(standing_id: int, *, now: datetime, lead: timedelta = DEFAULT_LEAD) -> StandingOrderRun | None:
    """Handle the standing order's due delivery day, if it has one: place what can be filled and
    report the rest, or report why nothing could be ordered (a day whose cut-off passed before
    any tick came: `cutoff_passed`). None when nothing was due or another tick handled the day."""
    standing = db.session.get(StandingOrder, standing_id, populate_existing=True)
    if standing is None or standing.state != StandingState.ACTIVE:
        return None
    day = _due_day(standing, now, lead)
    if day is None:
        return None
    run = StandingOrderRun(standing_order_id=standing.id, delivery_date=day.date,
                           outcome=RunOutcome.FAILED, not_ordered=[], ran_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(run)
            db.session.flush()
    except IntegrityError:
        return None  # another tick has this day
    standing.last_run_date = day.date
    if day.cutoff_at <= now:
        run.error_code = "cutoff_passed"
        run.not_ordered = [_line(item, "unavailable") for item in standing.items]
        notify_standing_failed(standing, day.date, run.not_ordered, run.error_code, now=now)
    else:
        _place(standing, day, run, now=now)
    db.session.flush()
    return run


def place_due_standing_orders(*, now: datetime, lead: timedelta = DEFAULT_LEAD) -> int:
    """Every active standing order whose next delivery day is due (its cut-off minus `lead`
    reached): placed, partly placed or reported; returns how many days were handled.

    Commits after each standing order (like the outbox sender): one standing order's order
    holds no other's stock or locks, and what is done stays done if a later one fails."""
    ids = db.session.scalars(
        select(StandingOrder.id).where(StandingOrder.state == StandingState.ACTIVE).order_by(StandingOrder.id)
    ).all()
    db.session.commit()
    handled = 0
    for standing_id in ids:
        while run_standing_order(standing_id, now=now, lead=lead) is not None:
            handled += 1
            db.session.commit()
        db.session.commit()
    return handled
