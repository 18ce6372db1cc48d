"""The OpenAPI 3.1 description of /api/v1, written by hand next to the handlers it describes."""
from __future__ import annotations

from copy import deepcopy

from marketplace.api import (
    openapi_assisted,
    openapi_capacity,
    openapi_devices,
    openapi_driver,
    openapi_pickup,
    openapi_standing,
)

# The parts described next to their routes; each may have PATHS and SCHEMAS.
_PARTS = (openapi_devices, openapi_standing, openapi_assisted, openapi_pickup, openapi_capacity, openapi_driver)

_ERROR_CODES = {
    400: "The body is not a JSON object (`invalid_json`) or the request is malformed.",
    401: "No token, or a wrong or expired one (`unauthorized`), or wrong credentials.",
    403: "The token's user lacks the role (`forbidden`).",
    404: "Not found, or not yours (`not_found`).",
    409: "Conflicts with the current state: `out_of_stock`, `cutoff_passed`, `invalid_transition`, "
         "`product_archived`.",
    422: "Invalid input: `invalid_input` (with the field), `invalid_quantity`, `unknown_product`, "
         "`product_unavailable`, `not_a_delivery_day`, `wrong_sub_region`, `cold_chain_broken`, "
         "`pickup_place_unavailable`, `door_not_offered`, `below_door_minimum`, `no_home_address`, "
         "`idempotency_mismatch`, `empty_order`, `payment_method_unavailable`, "
         "`invalid_preferences` (with the field), `sms_needs_mobile`; producers: `invalid_items`, "
         "`invalid_rows`, `invalid_spreadsheet`, `invalid_photo`, `photo_too_many_pixels`.",
    413: "The request is too large (`request_entity_too_large`, `photo_too_large`).",
    429: "Too many requests (`too_many_requests`).",
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    return {str(s): {"$ref": f"#/components/responses/Error{s}"} for s in statuses}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


_PAGING = [
    _query("page", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1}, "Page, from 1."),
    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 24}, "Items per page."),
]
_NEAR = _query(
    "near", {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$", "example": "50.33,7.22"},
    "LAT,LON to measure distances from; defaults to the token user's home.",
)
_BEARER = [{"bearer": []}]
_INT = {"type": "integer"}
_CENTS = {"type": "integer", "minimum": 0, "description": "Integer euro cents."}

_SCHEMAS = {
    "Preferences": {
        "type": "object", "required": ["channels", "language", "phone"],
        "properties": {
            "channels": {"type": "array", "minItems": 1, "uniqueItems": True,
                         "items": {"type": "string", "enum": ["email", "sms", "slip"]},
                         "description": "How to be told; sms needs a German mobile number, slip is "
                                        "printed at the sales point."},
            "language": {"type": "string", "enum": ["de", "en"]},
            "phone": {"type": "string", "description": "E.164 (+49…); empty: none."},
        },
    },
    "Error": {
        "type": "object", "required": ["error", "detail"],
        "properties": {
            "error": {"type": "string", "description": "A stable machine-readable code."},
            "detail": {"type": "string", "description": "A human-readable message (German or English)."},
        },
    },
    "Product": {
        "type": "object",
        "required": ["id", "name", "producer", "unit", "price_cents", "vat_rate", "temperature", "stock", "distance_km"],
        "properties": {
            "id": _INT, "name": {"type": "string"},
            "producer": {"type": "object", "properties": {"id": _INT, "name": {"type": "string"}}},
            "unit": {"type": "string", "enum": ["piece", "kg", "100g", "500g", "bunch", "litre", "bottle"]},
            "price_cents": _CENTS, "vat_rate": {"type": "integer", "enum": [0, 7, 19]},
            "temperature": {"type": "string", "enum": ["ambient", "chilled", "frozen"]},
            "stock": {"type": ["integer", "null"], "description": "null: made to order."},
            "stock_state": {"type": "string", "enum": ["in_stock", "few_left", "sold_out", "made_to_order"]},
            "organic": {"type": "boolean"},
            "distance_km": {"type": ["number", "null"]},
        },
    },
    "ProductDetail": {
        "allOf": [_ref("Product"), {"type": "object", "properties": {
            "description": {"type": "string"},
            "category": {"type": "object", "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
            "price_per_kg_cents": {"type": ["integer", "null"]},
            "base_price": {
                "type": ["object", "null"], "required": ["cents", "per"],
                "description": "The price per kg or litre (German price labelling, PAngV); null where it does not apply.",
                "properties": {"cents": {"type": "integer"}, "per": {"type": "string", "enum": ["kg", "l"]}},
            },
            "is_active": {"type": "boolean"},
        }}],
    },
    "ProductPage": {
        "type": "object", "required": ["items", "page", "pages", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref("Product")},
            "page": _INT, "pages": _INT, "total": _INT, "per_page": _INT,
            "total_is_exact": {
                "type": "boolean",
                "description": "false when counting stopped early on a very large result: "
                               "total and pages are then lower bounds",
            },
        },
    },
    "ProductChange": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {
            "stock": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000000},
            "price_cents": {"type": "integer", "minimum": 0, "maximum": 1000000},
            "is_active": {"type": "boolean"},
        },
    },
    "PickupPlace": {
        "type": "object",
        "required": ["id", "kind", "name", "place", "sub_region", "chilled", "distance_km"],
        "properties": {
            "id": _INT, "kind": {"type": "string", "enum": ["station", "sales_point"]},
            "name": {"type": "string"}, "street": {"type": "string"}, "place": {"type": "string"},
            "sub_region": {"type": "string", "description": "The sub-region's slug."},
            "chilled": {"type": "boolean", "description": "Keeps chilled or frozen goods cold."},
            "temperatures": {"type": "array", "items": {"type": "string"}},
            "distance_km": {"type": ["number", "null"]},
        },
    },
    "DeliveryDay": {
        "type": "object", "required": ["date", "cutoff_at"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "cutoff_at": {"type": "string", "format": "date-time"},
        },
    },
    "Credentials": {
        "type": "object", "required": ["email", "password"],
        "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
    },
    "Token": {
        "type": "object", "required": ["token"],
        "properties": {"token": {"type": "string"}, "token_type": {"type": "string"}, "expires_in": _INT},
    },
    "OrderRequest": {
        "type": "object", "required": ["delivery_date", "fulfilment", "items"],
        "description": "Other fields (a price or total, say) are ignored: prices come from the catalogue.",
        "properties": {
            "delivery_date": {"type": "string", "format": "date"},
            "fulfilment": {
                "type": "object", "required": ["kind"],
                "properties": {
                    "kind": {"type": "string", "enum": ["station", "sales_point", "door"]},
                    "pickup_place_id": {"type": "integer", "description": "For station and sales_point."},
                    "street": {"type": "string", "description": "Door only; defaults to the home address."},
                    "postcode": {"type": "string"}, "town": {"type": "string"},
                    "window": {"type": "string", "description": "One of the sub-region's door-delivery windows, e.g. 09:00-12:00."},
                },
            },
            "payment_method": {"type": "string", "enum": ["pay_on_pickup", "stripe", "invoice"], "default": "pay_on_pickup",
                               "description": "Must be offered for the place and sub-region (pay_on_pickup never at a "
                                              "station; stripe only where Stripe is configured), else 422 "
                                              "payment_method_unavailable."},
            "items": {
                "type": "array", "minItems": 1, "maxItems": 100,
                "items": {
                    "type": "object", "required": ["product_id", "quantity"],
                    "properties": {
                        "product_id": {"type": "integer"},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 999},
                    },
                },
            },
        },
    },
    "Order": {
        "type": "object",
        "required": ["id", "number", "status", "delivery_date", "fulfilment", "total_cents", "vat", "lines"],
        "properties": {
            "id": _INT, "number": {"type": "string"},
            "status": {"type": "string", "enum": [
                "placed", "confirmed", "packed", "in_transit", "delivered", "picked_up",
                "not_collected", "returned", "expired", "cancelled"]},
            "delivery_date": {"type": "string", "format": "date"},
            "cutoff_at": {"type": "string", "format": "date-time"},
            "fulfilment": {"type": "object", "properties": {
                "kind": {"type": "string"}, "pickup_place_id": {"type": ["integer", "null"]},
                "pickup_place_name": {"type": ["string", "null"]}, "street": {"type": ["string", "null"]},
                "postcode": {"type": ["string", "null"]}, "town": {"type": ["string", "null"]},
                "window": {"type": ["string", "null"]}}},
            "payment_method": {"type": "string"},
            "items_total_cents": _CENTS, "delivery_fee_cents": _CENTS, "total_cents": _CENTS,
            "vat": {"type": "array", "items": {"type": "object", "properties": {
                "rate": _INT, "gross_cents": _CENTS, "vat_cents": _CENTS, "net_cents": _CENTS}}},
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "product_id": _INT, "name": {"type": "string"}, "unit": {"type": "string"},
                "quantity": _INT, "unit_price_cents": _CENTS, "vat_rate": _INT, "total_cents": _CENTS}}},
            "events": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"}, "kind": {"type": "string"},
                "from_status": {"type": ["string", "null"]}, "to_status": {"type": ["string", "null"]}}}},
            "created_at": {"type": "string", "format": "date-time"},
            "pickup": {**openapi_pickup.PICKUP, "description": "Only in GET /orders/{order_id}. "
                       + openapi_pickup.PICKUP["description"]},
            "payment": {"type": "object", "description": "Only in the answer to POST /orders.", "properties": {
                "method": {"type": "string"},
                "next_action": {"type": "string", "enum": ["none", "redirect", "confirm_with_client_secret"]},
                "redirect_url": {"type": ["string", "null"]}, "client_secret": {"type": ["string", "null"]},
                "payment_intent_id": {"type": "string", "description": "stripe: the PaymentIntent to confirm with Stripe.js"},
                "expires_at": {"type": "string", "format": "date-time",
                               "description": "stripe: end of the payment window; unpaid, the order expires"}}},
        },
    },
    "OrderPage": {
        "type": "object", "required": ["items", "page", "pages", "total"],
        "properties": {"items": {"type": "array", "items": _ref("Order")},
                       "page": _INT, "pages": _INT, "total": _INT, "per_page": _INT},
    },
}

_PATHS = {
    "/openapi.json": {"get": {
        "summary": "This document.", "operationId": "getOpenapi", "security": [],
        "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {}}}},
    }},
    "/auth/token": {"post": {
        "summary": "Exchange e-mail and password for a bearer token.", "operationId": "createToken",
        "security": [], "description": "Rate limited: 10 requests per minute per client address.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Credentials")}}},
        "responses": {"201": _json(_ref("Token"), "The token."), **_errors(400, 401, 422, 429)},
    }},
    "/products": {"get": {
        "summary": "The catalogue, nearest producer first.", "operationId": "listProducts", "security": [],
        "parameters": [
            _NEAR,
            _query("radius_km", {"type": "number", "minimum": 0, "maximum": 500}, "Only producers this close; needs near."),
            _query("q", {"type": "string", "maxLength": 100}, "Search in names; % and _ are literal."),
            _query("category", {"type": "string"}, "A category slug."),
            _query("producer", {"type": "integer", "minimum": 1}, "A producer id."),
            _query("temperature", {"type": "string", "enum": ["ambient", "chilled", "frozen"]}, "Temperature class."),
            _query("organic", {"type": "boolean"}, "Organic goods only."),
            *_PAGING,
        ],
        "responses": {"200": _json(_ref("ProductPage"), "One page of products."), **_errors(401, 422)},
    }},
    "/products/{product_id}": {
        "parameters": [_path_id("product_id")],
        "get": {
            "summary": "One product.", "operationId": "getProduct", "security": [], "parameters": [_NEAR],
            "responses": {"200": _json(_ref("ProductDetail"), "The product."), **_errors(401, 404, 422)},
        },
        "patch": {
            "summary": "Change stock, price or availability of one of your own products (producers).",
            "operationId": "updateProduct", "security": _BEARER,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ProductChange")}}},
            "responses": {"200": _json(_ref("ProductDetail"), "The changed product."), **_errors(400, 401, 403, 404, 422)},
        },
    },
    "/pickup-places": {"get": {
        "summary": "Parcel stations and sales points; the token user's sub-region by default.",
        "operationId": "listPickupPlaces", "security": [],
        "parameters": [_query("sub_region", {"type": "string"}, "A sub-region's slug."), _NEAR],
        "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": _ref("PickupPlace")}}}, "Pickup places, nearest first."),
            **_errors(401, 422)},
    }},
    "/delivery-days": {"get": {
        "summary": "The next delivery days of your sub-region whose cut-off has not passed, soonest first.",
        "operationId": "listDeliveryDays", "security": _BEARER,
        "responses": {"200": _json({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": _ref("DeliveryDay")}}}, "Delivery days."), **_errors(401, 422)},
    }},
    "/orders": {
        "get": {
            "summary": "Your orders, newest first.", "operationId": "listOrders", "security": _BEARER,
            "parameters": list(_PAGING),
            "responses": {"200": _json(_ref("OrderPage"), "One page of orders."), **_errors(401, 422)},
        },
        "post": {
            "summary": "Place an order; stock is taken at once.", "operationId": "createOrder",
            "security": _BEARER,
            "parameters": [{
                "name": "Idempotency-Key", "in": "header", "required": False,
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": "The same key with the same body returns the order placed the first time; "
                               "with another body: 422 idempotency_mismatch.",
            }],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("OrderRequest")}}},
            "responses": {"201": _json(_ref("Order"), "The order."), **_errors(400, 401, 422),
                          "409": openapi_capacity.ORDER_CONFLICT},
        },
    },
    "/orders/{order_id}": {
        "parameters": [_path_id("order_id")],
        "get": {
            "summary": "One of your orders with lines and history.", "operationId": "getOrder",
            "security": _BEARER,
            "responses": {"200": _json(_ref("Order"), "The order."), **_errors(401, 404)},
        },
    },
    "/me/preferences": {
        "get": {
            "summary": "How you are notified.", "operationId": "getPreferences", "security": _BEARER,
            "responses": {"200": _json(_ref("Preferences"), "Your preferences."), **_errors(401)},
        },
        "patch": {
            "summary": "Change how you are notified; give any of the fields. A refusal changes nothing.",
            "operationId": "updatePreferences", "security": _BEARER,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "properties": {"channels": {"$ref": "#/components/schemas/Preferences/properties/channels"},
                               "language": {"type": "string", "enum": ["de", "en"]},
                               "phone": {"type": ["string", "null"]}},
            }}}},
            "responses": {"200": _json(_ref("Preferences"), "Your preferences."), **_errors(400, 401, 422)},
        },
    },
    "/orders/{order_id}/cancel": {
        "parameters": [_path_id("order_id")],
        "post": {
            "summary": "Cancel before the cut-off; the stock goes back.", "operationId": "cancelOrder",
            "security": _BEARER,
            "responses": {"200": _json(_ref("Order"), "The cancelled order."), **_errors(401, 404, 409)},
        },
    },
}

def _with_producer_api() -> None:
    # The producer's part lives in its own module; it uses the helpers above.
    from marketplace.api import openapi_packing, openapi_producer

    _SCHEMAS.update(openapi_producer.SCHEMAS)
    _PATHS.update(openapi_producer.PATHS)
    _SCHEMAS.update(openapi_packing.SCHEMAS)
    _PATHS.update(openapi_packing.PATHS)


_with_producer_api()

_DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Landkorb API", "version": "1.0.0",
        "description": "Residents order groceries from producers of their region. Money is in integer "
                       "cents. Errors are JSON problems {\"error\": code, \"detail\": message} with a 4xx status.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": _BEARER,
    "paths": {**_PATHS, **{path: item for part in _PARTS for path, item in getattr(part, "PATHS", {}).items()}},
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "From POST /auth/token."},
            **openapi_devices.SECURITY_SCHEMES,
        },
        "schemas": {**_SCHEMAS, **{name: schema for part in _PARTS
                                   for name, schema in getattr(part, "SCHEMAS", {}).items()}},
        "responses": {
            f"Error{status}": _json(_ref("Error"), text) for status, text in _ERROR_CODES.items()
        },
    },
}


def build_openapi() -> dict:
    return deepcopy(_DOCUMENT)
