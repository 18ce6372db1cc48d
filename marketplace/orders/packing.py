"""Packing a delivery day: the cut-off lists, short lines, real weights, packed, the minimum.

Services take plain values and `now`, flush, and leave the commit to the caller; the producer's
pages, the producer API and the job `send_cutoff_lists` call them. Money stays in integer
cents: a line's total follows its packed units or its real weight, and the producer order's and
the order's totals follow the lines (CHECK constraints keep each line's total right).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.accounts.queries import list_producer_staff
from marketplace.catalog.models import Producer
from marketplace.catalog.stock import give_back_stock
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.clock import local_today
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.notifications.services import notify
from marketplace.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    ProducerDay,
    ProducerDayState,
    ProducerMinimum,
    ProducerOrder,
)
from marketplace.orders.notices import order_context
from marketplace.orders.transitions import move_order

# Orders a producer packs for: paid (or pay on pickup) and not yet on their way.
PACKABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.PACKED})
MAX_MINIMUM_CENTS = 1_000_000


class LineNotChangeable(Conflict):
    code = "line_not_changeable"
    message = N_("Diese Position kann nicht mehr geändert werden: die Bestellung ist unterwegs, zugestellt oder storniert.")


class InvalidShortQuantity(InvalidInput):
    code = "invalid_short_quantity"
    message = N_("Die Fehlmenge ist eine ganze Zahl von 0 bis %(quantity)s.")


class NotVariableWeight(InvalidInput):
    code = "not_variable_weight"
    message = N_("Dieses Produkt wird nicht nach Gewicht verkauft.")


class WeightOutOfBounds(InvalidInput):
    code = "weight_out_of_bounds"
    message = N_("Das Gewicht muss zwischen %(low)s g und %(high)s g liegen.")


class NothingToWeigh(Conflict):
    code = "nothing_to_weigh"
    message = N_("Die Position fehlt ganz; es gibt nichts zu wiegen.")


class CutoffNotReached(Conflict):
    code = "cutoff_not_reached"
    message = N_("Der Bestellschluss ist noch nicht erreicht; bis dahin kommen noch Bestellungen dazu.")


class DayAwaitingDecision(Conflict):
    code = "day_awaiting_decision"
    message = N_("Der Mindestumsatz ist nicht erreicht: bitte zuerst den Liefertag bestätigen oder absagen.")


class DayNotAwaiting(Conflict):
    code = "day_not_awaiting"
    message = N_("Für diesen Liefertag ist nichts zu entscheiden.")


class InvalidMinimum(InvalidInput):
    code = "invalid_minimum"
    message = N_("Der Mindestumsatz ist ein Betrag wie 50,00 (leer: keiner).")


# Work that belongs to the same transaction as lines becoming short (or less short): their
# refund or credit note, registered by the payments, which orders may not import. A hook takes
# (order, lines, now=) and may refuse with a DomainError (a refund cannot be taken back).
_ON_SHORT: list[Callable] = []


def on_lines_short(hook: Callable) -> None:
    if hook not in _ON_SHORT:
        _ON_SHORT.append(hook)


def _lines_short(order: Order, lines: list[OrderLine], now: datetime) -> None:
    for hook in _ON_SHORT:
        hook(order, lines, now=now)


# -- totals ----------------------------------------------------------------------------------

def line_total_cents(line: OrderLine) -> int:
    """What the line costs now: its real weight at the price per kg once weighed (rounded half
    up to a cent, as the CHECK constraint computes it), else its packed units at the unit price."""
    if line.weight_grams is not None:
        return (line.weight_grams * line.price_per_kg_cents + 500) // 1000
    return line.packed_quantity * line.unit_price_cents


def weight_bounds(line: OrderLine) -> tuple[int, int]:
    """The least and most grams the packed units of a variable-weight line may weigh."""
    nominal = line.nominal_weight_g * line.packed_quantity
    tolerance = line.weight_tolerance_pct
    return -(-nominal * (100 - tolerance) // 100), nominal * (100 + tolerance) // 100


def _refresh_totals(order: Order) -> None:
    for producer_order in order.producer_orders:
        producer_order.items_total_cents = sum(
            line.total_cents for line in order.lines if line.producer_order_id == producer_order.id
        )
    order.items_total_cents = sum(line.total_cents for line in order.lines)
    order.total_cents = order.items_total_cents + order.delivery_fee_cents


def _check_changeable(line: OrderLine) -> None:
    if line.order.status not in PACKABLE:
        raise LineNotChangeable()


def _notify_line(order: Order, line: OrderLine, kind: str, now: datetime, **extra) -> None:
    context = {**order_context(order), "product_name": line.product_name, **extra}
    notify(order.resident, kind, context, order_id=order.id, now=now)


def _cancel_if_empty(order: Order, *, actor: User | None, now: datetime, note: str) -> bool:
    """An order none of whose lines is delivered is cancelled (its stock went back before)."""
    if all(line.is_fully_short for line in order.lines):
        move_order(order, OrderStatus.CANCELLED, now=now, actor=actor, kind="cancelled", note=note)
        return True
    return False


# -- a line: short, or weighed ----------------------------------------------------------------

def mark_line_short(*, line: OrderLine, short_quantity: object, actor: User | None, now: datetime) -> OrderLine:
    """Record that `short_quantity` units of the line cannot be delivered (0 takes it back).

    The line's total drops by their worth (`short_cents`), the order's totals follow, and the
    resident is told. A weighed line is weighed again. An order with nothing left is cancelled.
    The payments' hook refunds or credits the units (`payments/corrections.py`); it refuses to
    take back units already refunded, and then nothing is changed (a savepoint)."""
    _check_changeable(line)
    if type(short_quantity) is not int or not 0 <= short_quantity <= line.quantity:
        raise InvalidShortQuantity(quantity=line.quantity)
    if short_quantity == line.short_quantity:
        return line
    order = line.order
    with db.session.begin_nested():
        line.short_quantity = short_quantity
        line.short_cents = short_quantity * line.unit_price_cents
        line.weight_grams = None
        line.total_cents = line_total_cents(line)
        _refresh_totals(order)
        db.session.flush()
        _notify_line(order, line, "order_line_short", now, short_quantity=short_quantity,
                     quantity=line.quantity, short_cents=line.short_cents)
        _cancel_if_empty(order, actor=actor, now=now, note="short")
        _lines_short(order, [line], now)
        db.session.flush()
    return line


def weigh_line(*, line: OrderLine, weight_grams: object, actor: User | None, now: datetime) -> OrderLine:
    """Enter the real weight of a variable-weight line: its price follows per kg, within the
    tolerance copied from the product when ordered; the order's totals and VAT follow, and the
    resident is told the new price."""
    _check_changeable(line)
    if not line.is_variable_weight:
        raise NotVariableWeight()
    if line.packed_quantity == 0:
        raise NothingToWeigh()
    low, high = weight_bounds(line)
    if type(weight_grams) is not int or not low <= weight_grams <= high:
        raise WeightOutOfBounds(low=low, high=high)
    order = line.order
    before = line.total_cents
    line.weight_grams = weight_grams
    line.total_cents = line_total_cents(line)
    _refresh_totals(order)
    db.session.flush()
    if line.total_cents != before:
        _notify_line(order, line, "order_line_weighed", now, weight_grams=weight_grams,
                     line_before_cents=before, line_total_cents=line.total_cents)
    return line


# -- the producer's part of a day: packed --------------------------------------------------------

@dataclass(frozen=True)
class PackedDay:
    producer_orders: int   # the producer's orders of the day now packed
    orders_packed: list[str]  # numbers of the orders that moved to packed (all producers done)


def _day_producer_orders(producer_id: int, day: date) -> list[ProducerOrder]:
    return list(db.session.scalars(
        select(ProducerOrder).join(ProducerOrder.order)
        .where(ProducerOrder.producer_id == producer_id, Order.delivery_date == day,
               Order.status.in_(PACKABLE))
        .options(selectinload(ProducerOrder.order).selectinload(Order.producer_orders),
                 selectinload(ProducerOrder.order).selectinload(Order.lines))
        .order_by(ProducerOrder.id)
    ))


def _is_done(producer_order: ProducerOrder, lines: list[OrderLine]) -> bool:
    return producer_order.packed_at is not None or all(
        line.is_fully_short for line in lines if line.producer_order_id == producer_order.id
    )


def mark_day_packed(*, producer: Producer, day: date, actor: User | None, now: datetime) -> PackedDay:
    """Mark the producer's part of a delivery day packed, once its cut-off has passed; an order
    moves to packed when every producer in it has packed (or has nothing left to deliver)."""
    producer_orders = _day_producer_orders(producer.id, day)
    if any(po.order.cutoff_at > now for po in producer_orders):
        raise CutoffNotReached()
    awaiting = db.session.scalar(select(func.count()).select_from(ProducerDay).where(
        ProducerDay.producer_id == producer.id, ProducerDay.delivery_date == day,
        ProducerDay.state == ProducerDayState.AWAITING))
    if awaiting:
        raise DayAwaitingDecision()
    moved = []
    for producer_order in producer_orders:
        if producer_order.packed_at is None:
            producer_order.packed_at = now
        order = producer_order.order
        if order.status == OrderStatus.CONFIRMED and all(
            _is_done(po, order.lines) for po in order.producer_orders
        ):
            move_order(order, OrderStatus.PACKED, now=now, actor=actor, kind="packed", flush=False)
            moved.append(order.number)
    db.session.flush()
    return PackedDay(len(producer_orders), moved)


# -- the cut-off: lists, and the minimum -----------------------------------------------------------

def _day_groups(now: datetime):
    """(producer, sub-region, day, turnover, orders) of every day whose cut-off has passed and
    whose list has not gone out yet, from today on."""
    return db.session.execute(
        select(ProducerOrder.producer_id, Order.sub_region_id, Order.delivery_date,
               func.sum(ProducerOrder.items_total_cents), func.count())
        .join(ProducerOrder.order)
        .outerjoin(ProducerDay, and_(
            ProducerDay.producer_id == ProducerOrder.producer_id,
            ProducerDay.sub_region_id == Order.sub_region_id,
            ProducerDay.delivery_date == Order.delivery_date))
        .where(Order.status == OrderStatus.CONFIRMED, Order.cutoff_at <= now,
               Order.delivery_date >= local_today(now), ProducerDay.id.is_(None))
        .group_by(ProducerOrder.producer_id, Order.sub_region_id, Order.delivery_date)
        .order_by(Order.delivery_date, ProducerOrder.producer_id, Order.sub_region_id)
    ).all()


def _pick_totals(producer_id: int, sub_region_id: int, day: date) -> list[dict]:
    rows = db.session.execute(
        select(OrderLine.product_name, func.sum(OrderLine.quantity))
        .join(OrderLine.producer_order).join(ProducerOrder.order)
        .where(ProducerOrder.producer_id == producer_id, Order.sub_region_id == sub_region_id,
               Order.delivery_date == day, Order.status == OrderStatus.CONFIRMED)
        .group_by(OrderLine.product_name).order_by(OrderLine.product_name)
    )
    return [{"name": name, "quantity": int(quantity)} for name, quantity in rows]


def send_cutoff_lists(*, now: datetime) -> int:
    """At each day's cut-off, tell each producer's staff their list for the day, once per
    producer, sub-region and day; a day below the producer's minimum asks them to confirm or
    decline instead. Returns how many producer days it handled."""
    groups = _day_groups(now)
    minimums = {
        (m.producer_id, m.sub_region_id): m.minimum_cents
        for m in db.session.scalars(select(ProducerMinimum).where(
            ProducerMinimum.producer_id.in_({g[0] for g in groups})))
    } if groups else {}
    for producer_id, sub_region_id, day, turnover, orders in groups:
        minimum = minimums.get((producer_id, sub_region_id))
        below = minimum is not None and turnover < minimum
        producer_day = ProducerDay(
            producer_id=producer_id, sub_region_id=sub_region_id, delivery_date=day,
            state=ProducerDayState.AWAITING if below else ProducerDayState.LISTED,
            turnover_cents=int(turnover), minimum_cents=minimum, listed_at=now,
        )
        db.session.add(producer_day)
        db.session.flush()
        context = {
            "producer_name": producer_day.producer.name, "sub_region_name": producer_day.sub_region.name,
            "delivery_date": day.isoformat(), "orders": int(orders), "turnover_cents": int(turnover),
            "minimum_cents": minimum, "lines": _pick_totals(producer_id, sub_region_id, day),
        }
        kind = "producer_day_below_minimum" if below else "producer_day_list"
        for staff in list_producer_staff(producer_id):
            notify(staff, kind, context, now=now)
    db.session.flush()
    return len(groups)


def decide_day(*, producer_day: ProducerDay, deliver: bool, actor: User | None, now: datetime) -> ProducerDay:
    """The producer's answer to a day below its minimum: deliver anyway, or decline. Declining
    cancels its lines of that day in that sub-region (nothing delivered, refunded or credited
    by the payments' hook), gives their stock back, cancels orders left empty and tells the residents."""
    if producer_day.state != ProducerDayState.AWAITING:
        raise DayNotAwaiting()
    producer_day.decided_at, producer_day.decided_by_id = now, actor.id if actor else None
    if deliver:
        producer_day.state = ProducerDayState.CONFIRMED
        db.session.flush()
        return producer_day
    producer_day.state = ProducerDayState.DECLINED
    orders = db.session.scalars(
        select(Order).join(Order.producer_orders)
        .where(ProducerOrder.producer_id == producer_day.producer_id, Order.delivery_date == producer_day.delivery_date,
               Order.sub_region_id == producer_day.sub_region_id, Order.status.in_(PACKABLE))
        .options(selectinload(Order.lines), selectinload(Order.producer_orders), selectinload(Order.resident))
        .order_by(Order.id)
    ).unique().all()
    back: dict[int, int] = {}
    for order in orders:
        declined, changed = [], []
        own = {po.id for po in order.producer_orders if po.producer_id == producer_day.producer_id}
        for line in order.lines:
            if line.producer_order_id not in own or line.is_fully_short:
                continue
            back[line.product_id] = back.get(line.product_id, 0) + line.packed_quantity
            line.short_quantity, line.short_cents = line.quantity, line.quantity * line.unit_price_cents
            line.weight_grams = None
            line.total_cents = 0
            declined.append({"name": line.product_name, "quantity": line.quantity})
            changed.append(line)
        _refresh_totals(order)
        db.session.flush()
        notify(order.resident, "order_lines_declined", {
            **order_context(order), "producer_name": producer_day.producer.name, "declined": declined,
        }, order_id=order.id, now=now)
        _cancel_if_empty(order, actor=actor, now=now, note="declined")
        _lines_short(order, changed, now)
    give_back_stock(back)
    db.session.flush()
    bump_catalog_version()
    return producer_day


def set_minimum(*, producer: Producer, sub_region_id: int, minimum_cents: int | None) -> ProducerMinimum | None:
    """Set (or with None remove) the producer's least turnover per delivery day in a sub-region."""
    if minimum_cents is not None and (type(minimum_cents) is not int or not 0 < minimum_cents <= MAX_MINIMUM_CENTS):
        raise InvalidMinimum()
    current = db.session.scalars(select(ProducerMinimum).where(
        ProducerMinimum.producer_id == producer.id, ProducerMinimum.sub_region_id == sub_region_id)).first()
    if minimum_cents is None:
        if current is not None:
            db.session.delete(current)
            db.session.flush()
        return None
    if current is None:
        current = ProducerMinimum(producer_id=producer.id, sub_region_id=sub_region_id, minimum_cents=minimum_cents)
        db.session.add(current)
    current.minimum_cents = minimum_cents
    db.session.flush()
    return current
