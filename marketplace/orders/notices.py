"""What an order tells its resident: the outbox context of an order, for `notify`."""
from __future__ import annotations

from datetime import datetime

from marketplace.notifications.services import notify, supersede_queued
from marketplace.orders.models import Order
from marketplace.pickup.models import PickupKind


def order_context(order: Order) -> dict:
    """What every notification about an order names: number, resident, day, total, where."""
    place = order.pickup_place
    return {
        "order_number": order.number, "resident_name": order.resident.name,
        "delivery_date": order.delivery_date.isoformat(), "cutoff_at": order.cutoff_at.isoformat(),
        "total_cents": order.total_cents, "fulfilment": str(order.fulfilment),
        "place_name": place.name if place is not None else None, "door_town": order.door_town,
    }


def notify_order(order: Order, kind: str, *, now: datetime) -> None:
    """Queue `kind` (order_placed, order_confirmed, order_cancelled) for the order's resident, in
    the caller's transaction. A slip is printed at the order's sales point. A confirmation
    replaces a placement notice not sent yet: confirmed on placement, only it goes out."""
    resident = order.resident
    place = order.pickup_place
    context = order_context(order)
    if kind == "order_confirmed" and supersede_queued(
        order_id=order.id, kind="order_placed", new_kind=kind, context=context,
    ):
        return
    sales_point_id = place.id if place is not None and place.kind == PickupKind.SALES_POINT else None
    notify(resident, kind, context, order_id=order.id, place_id=sales_point_id, now=now)
