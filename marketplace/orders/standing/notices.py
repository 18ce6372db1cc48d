"""What a standing order tells its resident when the job has run for a delivery day."""
from __future__ import annotations

from datetime import datetime

from marketplace.notifications.services import notify, supersede_queued
from marketplace.orders.models import Order
from marketplace.orders.standing.models import StandingOrder
from marketplace.pickup.models import PickupKind


def _where(standing: StandingOrder, order: Order | None) -> dict:
    place = order.pickup_place if order is not None else standing.pickup_place
    town = order.door_town if order is not None else (standing.door_town or standing.resident.town)
    return {
        "fulfilment": str(standing.fulfilment), "place_name": place.name if place is not None else None,
        "door_town": town,
    }


def _sales_point_id(standing: StandingOrder) -> int | None:
    place = standing.pickup_place
    return place.id if place is not None and place.kind == PickupKind.SALES_POINT else None


def notify_standing_placed(standing: StandingOrder, order: Order, not_ordered: list[dict], *,
                           now: datetime) -> None:
    """`standing_order_placed`: what was ordered and what was not. It takes the place of the
    order's own notice not sent yet (placed or confirmed), so the resident gets one message."""
    context = {
        "resident_name": standing.resident.name, "order_number": order.number,
        "delivery_date": order.delivery_date.isoformat(), "cutoff_at": order.cutoff_at.isoformat(),
        "total_cents": order.total_cents, **_where(standing, order),
        "ordered": [{"name": line.product_name, "quantity": line.quantity} for line in order.lines],
        "not_ordered": not_ordered,
    }
    replaced = sum(
        supersede_queued(order_id=order.id, kind=kind, new_kind="standing_order_placed", context=context)
        for kind in ("order_placed", "order_confirmed")
    )
    if not replaced:
        notify(standing.resident, "standing_order_placed", context, order_id=order.id,
               place_id=_sales_point_id(standing), now=now)


def notify_standing_failed(standing: StandingOrder, delivery_date, not_ordered: list[dict], reason: str, *,
                           now: datetime) -> None:
    """`standing_order_failed`: nothing could be ordered for the day, and why."""
    context = {
        "resident_name": standing.resident.name, "delivery_date": delivery_date.isoformat(),
        **_where(standing, None), "reason": reason, "not_ordered": not_ordered,
    }
    notify(standing.resident, "standing_order_failed", context, place_id=_sales_point_id(standing), now=now)
