"""/api/v1: thin JSON handlers around the catalogue, checkout and order services."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_act_for_producer, can_see_order
from marketplace.accounts.services import authenticate
from marketplace.api import serialize
from marketplace.api.auth import (
    InvalidCredentials,
    api_user,
    issue_token,
    token_optional,
    token_required,
)
from marketplace.api.openapi import build_openapi
from marketplace.api.parsing import (
    InvalidField,
    body_bool,
    body_date,
    body_int,
    body_list,
    body_object,
    body_optional_str,
    json_object,
    query_bool,
    query_float,
    query_int,
    query_near,
    query_text,
)
from marketplace.catalog.models import Product, Temperature
from marketplace.catalog.queries import CatalogFilter, get_shop_product, list_catalog
from marketplace.catalog.services import PRODUCT_CHANGES, InvalidProduct, change_product
from marketplace.catalog.views import record_if_unanswered
from marketplace.core.clock import utcnow
from marketplace.core.errors import Forbidden, NotFound
from marketplace.extensions import csrf, db, limiter
from marketplace.notifications.services import preferences_of, set_preferences
from marketplace.orders import queries as order_queries
from marketplace.orders.checkout import FulfilmentChoice, list_delivery_days_for, list_pickup_places_of
from marketplace.payments.services import cancel_and_refund, submit_order
from marketplace.regions.geo import distance_km
from marketplace.regions.models import SubRegion
from marketplace.web.page_cache import cached_for_anonymous

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, not cookies, authenticate here: there is no session a foreign page could ride on.
csrf.exempt(bp)

MAX_PER_PAGE = 100
MAX_PAGE = 10_000


def _home(user) -> tuple[float, float] | None:
    if user is None or user.home_lat is None or user.home_lon is None:
        return None
    return user.home_lat, user.home_lon


def _paging() -> tuple[int, int]:
    return (
        query_int("page", 1, minimum=1, maximum=MAX_PAGE),
        query_int("per_page", 24, minimum=1, maximum=MAX_PER_PAGE),
    )


@bp.get("/openapi.json")
def openapi():
    return build_openapi()


@bp.post("/auth/token")
@limiter.limit("10 per minute")
def create_token():
    data = json_object()
    email, password = data.get("email"), data.get("password")
    if not isinstance(email, str) or not 0 < len(email) <= 254:
        raise InvalidField(field="email")
    if not isinstance(password, str) or not 0 < len(password) <= 1000:
        raise InvalidField(field="password")
    user = authenticate(email, password)
    if user is None:
        raise InvalidCredentials()
    return {
        "token": issue_token(user), "token_type": "Bearer",
        "expires_in": current_app.config["API_TOKEN_MAX_AGE_S"],
    }, 201


@bp.get("/products")
@cached_for_anonymous
@token_optional
def list_products():
    near = query_near() or _home(api_user())
    radius = query_float("radius_km", minimum=0, maximum=500)
    if radius is not None and near is None:
        raise InvalidField(field="near")
    temperature = query_text("temperature", max_length=10)
    if temperature is not None and temperature not in set(Temperature):
        raise InvalidField(field="temperature")
    producer = query_int("producer", 0, minimum=1, maximum=2**31 - 1) or None
    filters = CatalogFilter(
        q=query_text("q", max_length=100), category_slug=query_text("category", max_length=80),
        producer_id=producer, temperature=Temperature(temperature) if temperature else None,
        organic=query_bool("organic"), near=near, radius_km=radius,
    )
    page, per_page = _paging()
    result = list_catalog(filters, page, per_page)
    body = {
        "items": [serialize.product(i.product, i.distance_km) for i in result.items],
        "page": result.page, "pages": result.pages, "total": result.total, "per_page": per_page,
        "total_is_exact": result.total_is_exact,
    }
    user = api_user()
    record_if_unanswered(filters, result, user.home_place_id if user is not None else None)
    return body


@bp.get("/products/<int:product_id>")
@cached_for_anonymous
@token_optional
def get_product(product_id: int):
    product = get_shop_product(product_id)
    if product is None:
        raise NotFound()
    near = query_near() or _home(api_user())
    place = product.producer.place
    km = distance_km(near, (place.lat, place.lon)) if near else None
    return serialize.product_detail(product, km)


@bp.patch("/products/<int:product_id>")
@token_required
def update_product(product_id: int):
    user = api_user()
    if not user.has_role(Role.PRODUCER):
        raise Forbidden()
    product = db.session.get(Product, product_id)
    if product is None or not can_act_for_producer(user, product.producer_id):
        raise NotFound()  # another producer's product is none of this producer's business
    data = json_object()
    unknown = sorted(set(data) - PRODUCT_CHANGES)
    if unknown or not data:
        raise InvalidField(field=unknown[0] if unknown else "body")
    changes = {}
    if "stock" in data:
        changes["stock"] = body_int(data, "stock", minimum=0, maximum=1_000_000, nullable=True)
    if "price_cents" in data:
        changes["price_cents"] = body_int(data, "price_cents", minimum=0, maximum=1_000_000)
    if "is_active" in data:
        changes["is_active"] = body_bool(data, "is_active")
    try:
        # The catalogue's one path for changes: its rules, and an archived product stays archived.
        change_product(product, changes, now=utcnow())
    except InvalidProduct as error:
        raise InvalidField(field=next(iter(error.errors))) from None
    db.session.commit()
    return serialize.product_detail(product)


@bp.get("/pickup-places")
@token_optional
def list_pickup_places():
    user = api_user()
    slug = query_text("sub_region", max_length=80)
    if slug is not None:
        sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
        if sub_region is None:
            raise InvalidField(field="sub_region")
    else:
        sub_region = user.home_sub_region if user is not None else None
    near = query_near() or _home(user)
    places = list_pickup_places_of(sub_region.id if sub_region else None)
    items = [
        (place, distance_km(near, (place.lat, place.lon)) if near else None) for place in places
    ]
    items.sort(key=lambda pair: (pair[1] or 0.0, pair[0].name))
    return {"items": [serialize.pickup_place(place, km) for place, km in items]}


@bp.get("/delivery-days")
@token_required
def list_delivery_days():
    days = list_delivery_days_for(api_user(), utcnow())
    return {"items": [serialize.delivery_day(day) for day in days]}


def _order_item(raw: object) -> tuple[object, object]:
    if not isinstance(raw, dict) or "product_id" not in raw or "quantity" not in raw:
        raise InvalidField(field="items")
    # Type and range are the service's rule (the shop's form goes through the same check).
    return raw["product_id"], raw["quantity"]


def _fulfilment(data: dict) -> FulfilmentChoice:
    raw = body_object(data, "fulfilment")
    return FulfilmentChoice(
        kind=raw.get("kind"), pickup_place_id=raw.get("pickup_place_id"),
        street=body_optional_str(raw, "street", max_length=200),
        postcode=body_optional_str(raw, "postcode", max_length=10),
        town=body_optional_str(raw, "town", max_length=200),
        window=body_optional_str(raw, "window", max_length=20),
    )


@bp.post("/orders")
@token_required
def create_order():
    data = json_object()
    payment_method = data.get("payment_method", "pay_on_pickup")
    if not isinstance(payment_method, str):
        raise InvalidField(field="payment_method")
    order, payment = submit_order(
        resident=api_user(), items=[_order_item(i) for i in body_list(data, "items")],
        delivery_date=body_date(data, "delivery_date"), fulfilment=_fulfilment(data),
        payment_method=payment_method, now=utcnow(),
        idempotency_key=request.headers.get("Idempotency-Key"),
        nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
    )
    # The answer is read before the commit: afterwards every object is expired and would be
    # loaded again, in a second transaction (on SQLite a second write lock for a POST).
    body = {**serialize.order(order), "payment": payment.to_dict()}
    db.session.commit()
    return body, 201


@bp.get("/orders")
@token_required
def list_orders():
    user = api_user()
    page, per_page = _paging()
    total = order_queries.count_orders_of_resident(user.id)
    orders = order_queries.list_orders_of_resident(user.id, limit=per_page, offset=(page - 1) * per_page)
    return {
        "items": [serialize.order(o) for o in orders], "page": page,
        "pages": -(-total // per_page), "total": total, "per_page": per_page,
    }


def _own_order(order_id: int):
    order = order_queries.get_order(order_id)
    if order is None or not can_see_order(api_user(), order):
        raise NotFound()
    return order


@bp.get("/orders/<int:order_id>")
@token_required
def get_order(order_id: int):
    order = _own_order(order_id)
    return {**serialize.order(order), "pickup": serialize.pickup(order, api_user(), utcnow())}


@bp.post("/orders/<int:order_id>/cancel")
@token_required
def cancel(order_id: int):
    order = cancel_and_refund(order=_own_order(order_id), actor=api_user(), now=utcnow())
    body = serialize.order(order)  # before the commit, as for placing
    db.session.commit()
    return body


PREFERENCE_FIELDS = ("channels", "language", "phone")


@bp.get("/me/preferences")
@token_required
def get_preferences():
    return preferences_of(api_user())


@bp.patch("/me/preferences")
@token_required
def update_preferences():
    data = json_object()
    for name in data:
        if name not in PREFERENCE_FIELDS:
            raise InvalidField(field=name)
    user = api_user()
    set_preferences(user, **data)
    db.session.commit()
    return preferences_of(user)
