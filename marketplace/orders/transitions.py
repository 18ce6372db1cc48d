"""The order state table and the one function that moves an order from state to state."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from marketplace.accounts.models import User
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderEvent, OrderStatus

S = OrderStatus

# DESIGN.md "An order's life". Terminal states (picked up, returned, expired, cancelled) have
# no way out. Cancelling is possible until producers pack; whether the cut-off still allows it
# is the cancel service's rule, not the table's.
ALLOWED: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.CONFIRMED, S.EXPIRED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.IN_TRANSIT}),
    # Returned straight from transit: the tour could not hand it over and brought it back.
    S.IN_TRANSIT: frozenset({S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset({S.PICKED_UP, S.NOT_COLLECTED}),
    S.NOT_COLLECTED: frozenset({S.RETURNED}),
}

# States in which the order still holds stock it may give back.
HOLDS_STOCK = frozenset({S.PLACED, S.CONFIRMED})


# Work that belongs to the same transaction as entering a state (the invoices of a confirmed
# order), registered by packages that orders may not import. A hook takes (order, now=).
_ON_ENTER: dict[OrderStatus, list[Callable]] = {}


def on_enter(status: OrderStatus, hook: Callable) -> None:
    hooks = _ON_ENTER.setdefault(OrderStatus(status), [])
    if hook not in hooks:
        hooks.append(hook)


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = N_("Die Bestellung kann in ihrem jetzigen Zustand nicht so geändert werden.")


def can_move(order: Order, to: OrderStatus) -> bool:
    return OrderStatus(to) in ALLOWED.get(order.status, frozenset())


def move_order(
    order: Order, to: OrderStatus, *, now: datetime, actor: User | None = None,
    kind: str | None = None, note: str = "", flush: bool = True,
) -> OrderEvent:
    """Move `order` to `to` and record an OrderEvent; refuses (order unchanged) if the table forbids it.

    Flushes unless `flush=False` (an order being built, flushed once by its caller)."""
    to = OrderStatus(to)
    if not can_move(order, to):
        raise InvalidTransition()
    event = OrderEvent(
        at=now, kind=kind or to.value, from_status=order.status, to_status=to,
        actor_id=actor.id if actor is not None else None, note=note,
    )
    order.status = to
    order.events.append(event)
    if flush:
        db.session.flush()
    for hook in _ON_ENTER.get(to, ()):
        hook(order, now=now)
    return event


def record_event(
    order: Order, kind: str, *, now: datetime, actor: User | None = None, note: str = "",
    flush: bool = True,
) -> OrderEvent:
    """An event that does not change the status (the order was placed, a payment started…).

    Flushes unless `flush=False` (an order being built, flushed once by its caller)."""
    event = OrderEvent(
        at=now, kind=kind, from_status=None, to_status=order.status,
        actor_id=actor.id if actor is not None else None, note=note,
    )
    order.events.append(event)
    if flush:
        db.session.flush()
    return event
