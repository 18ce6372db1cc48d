"""/api/v1/assisted/orders: staff of a sales point or Regio-Hub order for a resident (api blueprint)."""
from __future__ import annotations

from flask import current_app, request, url_for

from marketplace.accounts.models import Role, User
from marketplace.api import serialize
from marketplace.api.auth import api_user, token_required
from marketplace.api.parsing import InvalidField, body_date, body_list, body_object, json_object
from marketplace.api.views import _fulfilment, _order_item, bp
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.orders.assisted.queries import is_served_by
from marketplace.payments import assisted


def _text(raw: dict, field: str, *, required: bool = True, max_length: int = 200) -> str | None:
    value = raw.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        raise InvalidField(field=f"resident.{field}")
    return value


def _resident(staff, raw: dict):
    """The resident named by id (served by the staff member), or a new one registered now."""
    if "id" in raw:
        resident_id = raw["id"]
        if type(resident_id) is not int:
            raise InvalidField(field="resident.id")
        if not is_served_by(staff, resident_id):
            raise assisted.OutsideSubRegion()
        return db.session.get(User, resident_id)
    consent = raw.get("consent")
    if not isinstance(consent, dict):
        raise InvalidField(field="resident.consent")
    given_by, text_version = consent.get("given_by"), consent.get("text_version")
    if not isinstance(given_by, str):
        raise InvalidField(field="resident.consent.given_by")
    if not isinstance(text_version, str):
        raise InvalidField(field="resident.consent.text_version")
    return assisted.register_assisted_resident(
        staff=staff, name=_text(raw, "name"), phone=_text(raw, "phone", required=False, max_length=40),
        street=_text(raw, "street"), postcode=_text(raw, "postcode", max_length=10), town=_text(raw, "place"),
        channel=raw.get("channel", "sms" if raw.get("phone") else "slip"), given_by=given_by,
        text_version=text_version, now=utcnow(),
        nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
    )


@bp.post("/assisted/orders")
@token_required
def create_assisted_order():
    staff = api_user()
    if Role.SALES_POINT_STAFF not in staff.roles():
        raise NotFound()
    data = json_object()
    payment_method = data.get("payment_method", "pay_on_pickup")
    if not isinstance(payment_method, str):
        raise InvalidField(field="payment_method")
    items = [_order_item(i) for i in body_list(data, "items")]
    delivery_date, fulfilment = body_date(data, "delivery_date"), _fulfilment(data)
    resident = _resident(staff, body_object(data, "resident"))
    order, _ = assisted.place_assisted_order(
        staff=staff, resident=resident, now=utcnow(), payment_method=payment_method, items=items,
        delivery_date=delivery_date, fulfilment=fulfilment,
        idempotency_key=request.headers.get("Idempotency-Key"),
        nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
    )
    body = {"order": serialize.order(order), "slip_url": url_for("hub.slip", order_id=order.id)}
    db.session.commit()
    return body, 201
