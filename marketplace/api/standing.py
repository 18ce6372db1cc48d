"""/api/v1/standing-orders: a resident's standing orders, on the `api` blueprint."""
from __future__ import annotations

from marketplace.accounts.permissions import can_see_standing_order
from marketplace.api.auth import api_user, token_required
from marketplace.api.parsing import InvalidField, body_date, body_list, json_object
from marketplace.api.views import _fulfilment, _order_item, bp
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError, NotFound
from marketplace.extensions import db
from marketplace.orders.standing import services as standing_services
from marketplace.orders.standing.models import StandingOrder
from marketplace.payments.standing import change_standing_order, submit_standing_order

PATCH_FIELDS = {"state", "skip", "items", "fulfilment"}


def serialize(standing: StandingOrder, now) -> dict:
    place = standing.pickup_place
    next_date = standing_services.next_order_date(standing, now)
    return {
        "id": standing.id,
        "state": standing.state.value,
        "next_order_date": next_date.isoformat() if next_date else None,
        "weekday": standing.weekday,
        "fulfilment": {
            "kind": standing.fulfilment.value, "pickup_place_id": place.id if place else None,
            "pickup_place_name": place.name if place else None, "street": standing.door_street,
            "postcode": standing.door_postcode, "town": standing.door_town, "window": standing.door_window,
        },
        "payment_method": standing.payment_method.value,
        "items": [
            {"product_id": item.product_id, "name": item.product.name, "quantity": item.quantity}
            for item in standing.items
        ],
        "skipped_dates": [day.isoformat() for day in standing.skipped_dates],
        "last_run_date": standing.last_run_date.isoformat() if standing.last_run_date else None,
    }


def _own(standing_id: int) -> StandingOrder:
    standing = standing_services.get_standing_order(standing_id)
    if standing is None or not can_see_standing_order(api_user(), standing):
        raise NotFound()
    return standing


@bp.get("/standing-orders")
@token_required
def list_standing_orders():
    now = utcnow()
    return {"items": [serialize(s, now) for s in standing_services.list_standing_orders_of(api_user().id)]}


@bp.post("/standing-orders")
@token_required
def create_standing_order():
    data = json_object()
    payment_method = data.get("payment_method", "pay_on_pickup")
    if not isinstance(payment_method, str):
        raise InvalidField(field="payment_method")
    now = utcnow()
    standing = submit_standing_order(
        resident=api_user(), weekday=data.get("weekday"), fulfilment=_fulfilment(data),
        payment_method=payment_method, items=[_order_item(i) for i in body_list(data, "items")], now=now,
    )
    # The answer is read before the commit, as for orders: afterwards it would be loaded again.
    body = serialize(standing, now)
    db.session.commit()
    return body, 201


@bp.get("/standing-orders/<int:standing_id>")
@token_required
def get_standing_order(standing_id: int):
    return serialize(_own(standing_id), utcnow())


@bp.patch("/standing-orders/<int:standing_id>")
@token_required
def update_standing_order(standing_id: int):
    standing, data, now = _own(standing_id), json_object(), utcnow()
    unknown = sorted(set(data) - PATCH_FIELDS)
    if unknown or not data:
        raise InvalidField(field=unknown[0] if unknown else "body")
    # Each change is checked as it is made; a refusal of any takes back those made before it.
    try:
        if "items" in data or "fulfilment" in data:
            change_standing_order(
                standing, now=now,
                items=[_order_item(i) for i in body_list(data, "items")] if "items" in data else None,
                fulfilment=_fulfilment(data) if "fulfilment" in data else None,
            )
        if "state" in data:
            standing_services.set_state(standing, data["state"], now=now)
        if "skip" in data:
            standing_services.skip_date(standing, body_date(data, "skip"), now=now)
    except DomainError:
        db.session.rollback()
        raise
    body = serialize(standing, now)
    db.session.commit()
    return body


@bp.delete("/standing-orders/<int:standing_id>")
@token_required
def end_standing_order(standing_id: int):
    now = utcnow()
    standing = standing_services.end_standing_order(_own(standing_id), now=now)
    body = serialize(standing, now)
    db.session.commit()
    return body
