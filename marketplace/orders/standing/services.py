"""Standing orders: create, change, pause, resume, skip a day, end; and which day comes next.

Every rule of the basket and the checkout is the checkout's own (`orders/checkout`): the items,
the pickup place or door, the cold chain. What is new here is the weekday, the state and the
skipped days. Services flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.core.clock import local_today
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.orders.checkout.context import CheckoutContext, load_checkout
from marketplace.orders.checkout.options import price_lines
from marketplace.orders.checkout.rules import (
    FulfilmentChoice,
    check_door,
    check_orderable,
    check_pickup_place,
    is_strict_int,
    parse_fulfilment_kind,
    resolve_door_address,
    sum_quantities,
)
from marketplace.orders.models import Fulfilment, PaymentMethod
from marketplace.orders.standing.models import (
    StandingOrder,
    StandingOrderItem,
    StandingOrderSkip,
    StandingState,
)
from marketplace.regions.models import SubRegion
from marketplace.regions.schedule import DeliveryDay, get_delivery_day

# How many weeks ahead a standing order looks for its next delivery day (holidays, skips).
WEEKS_AHEAD = 12

ALLOWED = {
    StandingState.ACTIVE: {StandingState.PAUSED, StandingState.ENDED},
    StandingState.PAUSED: {StandingState.ACTIVE, StandingState.ENDED},
    StandingState.ENDED: set(),
}


class NotADeliveryWeekday(InvalidInput):
    code = "not_a_delivery_weekday"
    message = N_("An diesem Wochentag wird in Ihrer Teilregion nicht geliefert.")


class InvalidStandingState(InvalidInput):
    code = "invalid_state"
    message = N_("Ein Dauerauftrag kann nur pausiert („paused“) oder fortgesetzt („active“) werden.")


class StandingOrderEnded(Conflict):
    code = "standing_order_ended"
    message = N_("Dieser Dauerauftrag ist beendet.")


class NotAStandingDay(InvalidInput):
    code = "not_a_standing_order_day"
    message = N_("An diesem Tag würde dieser Dauerauftrag nicht bestellen.")


class AlreadyOrdered(Conflict):
    code = "already_ordered"
    message = N_("Für diesen Tag ist schon bestellt. Sie können die Bestellung stornieren.")


@dataclass(frozen=True)
class StandingChoice:
    """The checked fulfilment of a standing order, as its columns."""

    fulfilment: Fulfilment
    pickup_place_id: int | None = None
    door_street: str | None = None
    door_postcode: str | None = None
    door_town: str | None = None
    door_window: str | None = None


# -- its delivery days --------------------------------------------------------------------------

def weekday_days(sub_region: SubRegion, weekday: int, start: date, weeks: int = WEEKS_AHEAD) -> Iterator[DeliveryDay]:
    """The sub-region's delivery days on `weekday` from `start` on, holidays dropped."""
    schedule = sub_region.schedule
    if schedule is None or weekday not in schedule.weekdays:
        return
    first = start + timedelta(days=(weekday - start.isoweekday()) % 7)
    for week in range(weeks + 1):
        day = get_delivery_day(
            first + timedelta(weeks=week), weekdays=schedule.weekdays,
            cutoff_days_before=schedule.cutoff_days_before, cutoff_time=schedule.cutoff_time,
        )
        if day is not None:
            yield day


def pending_days(standing: StandingOrder, *, since: date | None = None) -> Iterator[DeliveryDay]:
    """The delivery days this standing order still has to handle, in order: on its weekday, after
    the last one it handled, with a cut-off after it became active, not skipped."""
    sub_region = standing.resident.home_sub_region
    if sub_region is None:
        return
    # A day before the one it became active on cannot have its cut-off after that moment.
    start = local_today(standing.active_since)
    if standing.last_run_date is not None:
        start = max(start, standing.last_run_date + timedelta(days=1))
    if since is not None:
        start = max(start, since)
    skipped = set(standing.skipped_dates)
    for day in weekday_days(sub_region, standing.weekday, start):
        if day.cutoff_at > standing.active_since and day.date not in skipped:
            yield day


def next_order_day(standing: StandingOrder, now: datetime) -> DeliveryDay | None:
    """The next delivery day this standing order orders for, whose cut-off lies ahead; None when
    it is paused or ended, or its weekday is no delivery day any more."""
    if standing.state != StandingState.ACTIVE:
        return None
    return next((d for d in pending_days(standing, since=local_today(now)) if d.cutoff_at > now), None)


def next_order_date(standing: StandingOrder, now: datetime) -> date | None:
    day = next_order_day(standing, now)
    return day.date if day is not None else None


# -- checks ---------------------------------------------------------------------------------

def check_weekday(sub_region: SubRegion, weekday: object) -> int:
    schedule = sub_region.schedule
    if not is_strict_int(weekday) or not 1 <= weekday <= 7 or schedule is None or weekday not in schedule.weekdays:
        raise NotADeliveryWeekday()
    return weekday


def _check_fulfilment(context: CheckoutContext, choice: FulfilmentChoice, quantities: dict[int, int],
                      weekday: int, now: datetime) -> StandingChoice:
    """The checkout's rules of the pickup place or the door, for the basket on that weekday."""
    kind = parse_fulfilment_kind(choice.kind)
    goods = price_lines(context.products, quantities)
    if kind == Fulfilment.DOOR:
        check_door(context.sub_region, goods.items_total_cents)
        resolve_door_address(context, choice)
        given = [(value or "").strip() or None for value in (choice.street, choice.postcode, choice.town)]
        return StandingChoice(kind, None, *given, choice.window or None)
    days = weekday_days(context.sub_region, weekday, local_today(now))
    day = next((d for d in days if d.cutoff_at > now), None)
    if day is None:
        raise NotADeliveryWeekday()
    place = check_pickup_place(context, kind, choice.pickup_place_id, day=day.date,
                               temperatures=goods.temperatures)
    return StandingChoice(kind, place.id)


def _check_basket(resident: User, items: Iterable[tuple[object, object]]) -> tuple[CheckoutContext, dict[int, int]]:
    quantities = sum_quantities(items)
    context = load_checkout(resident.id, quantities)
    check_orderable(quantities, context.products)
    return context, quantities


def _apply(standing: StandingOrder, choice: StandingChoice, quantities: dict[int, int]) -> None:
    for name, value in vars(choice).items():
        setattr(standing, name, value)
    by_product = {item.product_id: item for item in standing.items}
    for product_id in set(by_product) - set(quantities):
        standing.items.remove(by_product[product_id])
    for product_id, quantity in sorted(quantities.items()):
        if product_id in by_product:
            by_product[product_id].quantity = quantity
        else:
            standing.items.append(StandingOrderItem(product_id=product_id, quantity=quantity))


def choice_of(standing: StandingOrder) -> FulfilmentChoice:
    """The standing order's fulfilment as the checkout takes it."""
    return FulfilmentChoice(
        kind=standing.fulfilment, pickup_place_id=standing.pickup_place_id,
        street=standing.door_street, postcode=standing.door_postcode, town=standing.door_town,
        window=standing.door_window,
    )


# -- changes --------------------------------------------------------------------------------

def create_standing_order(
    *, resident: User, weekday: object, fulfilment: FulfilmentChoice, payment_method: PaymentMethod,
    items: Iterable[tuple[object, object]], now: datetime, created_by: User | None = None,
) -> StandingOrder:
    """Subscribe `resident` to a basket of (product_id, quantity) on an ISO weekday of their
    sub-region's schedule. The payment method is checked by the caller
    (`payments.standing.submit_standing_order`). Nothing is written when anything is refused."""
    context, quantities = _check_basket(resident, items)
    weekday = check_weekday(context.sub_region, weekday)
    choice = _check_fulfilment(context, fulfilment, quantities, weekday, now)
    standing = StandingOrder(
        resident_id=resident.id, created_by_id=created_by.id if created_by is not None else resident.id,
        weekday=weekday, state=StandingState.ACTIVE, payment_method=payment_method,
        active_since=now, created_at=now, fulfilment=choice.fulfilment,
    )
    _apply(standing, choice, quantities)
    db.session.add(standing)
    db.session.flush()
    return standing


def _check_not_ended(standing: StandingOrder) -> None:
    if standing.state == StandingState.ENDED:
        raise StandingOrderEnded()


def change_standing_order(
    standing: StandingOrder, *, now: datetime, items: Iterable[tuple[object, object]] | None = None,
    fulfilment: FulfilmentChoice | None = None,
) -> StandingOrder:
    """New items, a new pickup place or door, or both; checked together as at creation."""
    _check_not_ended(standing)
    if items is None:
        items = [(item.product_id, item.quantity) for item in standing.items]
    context, quantities = _check_basket(standing.resident, items)
    choice = _check_fulfilment(context, fulfilment or choice_of(standing), quantities, standing.weekday, now)
    _apply(standing, choice, quantities)
    db.session.flush()
    return standing


def set_state(standing: StandingOrder, state: object, *, now: datetime) -> StandingOrder:
    """Pause ("paused") or resume ("active"); the same state again changes nothing."""
    if state not in (StandingState.ACTIVE, StandingState.PAUSED):
        raise InvalidStandingState()
    _check_not_ended(standing)
    state = StandingState(state)
    if state != standing.state:
        standing.state = state
        if state == StandingState.ACTIVE:
            standing.active_since = now
        db.session.flush()
    return standing


def pause_standing_order(standing: StandingOrder, *, now: datetime) -> StandingOrder:
    return set_state(standing, StandingState.PAUSED, now=now)


def resume_standing_order(standing: StandingOrder, *, now: datetime) -> StandingOrder:
    return set_state(standing, StandingState.ACTIVE, now=now)


def skip_date(standing: StandingOrder, day: object, *, now: datetime) -> StandingOrder:
    """Order nothing on `day`: one of this standing order's coming delivery days, not yet ordered."""
    _check_not_ended(standing)
    if not isinstance(day, date) or isinstance(day, datetime):
        raise NotAStandingDay()
    if standing.last_run_date is not None and day <= standing.last_run_date:
        raise AlreadyOrdered()
    sub_region = standing.resident.home_sub_region
    coming = weekday_days(sub_region, standing.weekday, local_today(now)) if sub_region else iter(())
    if not any(d.date == day and d.cutoff_at > now for d in coming):
        raise NotAStandingDay()
    if day not in standing.skipped_dates:
        standing.skips.append(StandingOrderSkip(skipped_date=day))
        db.session.flush()
    return standing


def end_standing_order(standing: StandingOrder, *, now: datetime) -> StandingOrder:
    """End it for good; ending an ended one changes nothing. Orders already placed stay."""
    if standing.state != StandingState.ENDED:
        standing.state = StandingState.ENDED
        standing.ended_at = now
        db.session.flush()
    return standing


# -- reads ----------------------------------------------------------------------------------

def list_standing_orders_of(resident_id: int) -> list[StandingOrder]:
    """A resident's standing orders, the running ones first, then newest first."""
    rows = db.session.scalars(
        select(StandingOrder).where(StandingOrder.resident_id == resident_id)
        .options(selectinload(StandingOrder.items).joinedload(StandingOrderItem.product),
                 selectinload(StandingOrder.skips))
        .order_by(StandingOrder.id.desc())
    ).all()
    return sorted(rows, key=lambda s: s.state == StandingState.ENDED)


def get_standing_order(standing_id: int) -> StandingOrder | None:
    return db.session.get(StandingOrder, standing_id)
