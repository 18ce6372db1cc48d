"""The OpenAPI description of /api/v1/standing-orders (api/standing.py), merged by api/openapi.py."""
from __future__ import annotations

_FULFILMENT = {"$ref": "#/components/schemas/OrderRequest/properties/fulfilment"}
_ITEMS = {"$ref": "#/components/schemas/OrderRequest/properties/items"}
_WHO = "Yours (as its resident, or as the staff member who set it up); another's is 404."
_STANDING_ERRORS = (
    " Standing orders add `not_a_delivery_weekday`, `invalid_state`, `not_a_standing_order_day` (422), "
    "`standing_order_ended`, `already_ordered` (409)."
)

SCHEMAS = {
    "StandingOrder": {
        "type": "object",
        "required": ["id", "state", "next_order_date", "weekday", "fulfilment", "payment_method", "items",
                     "skipped_dates"],
        "properties": {
            "id": {"type": "integer"},
            "state": {"type": "string", "enum": ["active", "paused", "ended"]},
            "next_order_date": {"type": ["string", "null"], "format": "date",
                                "description": "The next delivery day it orders for; null when paused or ended."},
            "weekday": {"type": "integer", "minimum": 1, "maximum": 7, "description": "ISO, 1 = Monday."},
            "fulfilment": {"$ref": "#/components/schemas/Order/properties/fulfilment"},
            "payment_method": {"type": "string", "enum": ["pay_on_pickup", "invoice"]},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "product_id": {"type": "integer"}, "name": {"type": "string"},
                "quantity": {"type": "integer"}}}},
            "skipped_dates": {"type": "array", "items": {"type": "string", "format": "date"}},
            "last_run_date": {"type": ["string", "null"], "format": "date",
                              "description": "The last delivery day it ordered for (or reported it could not)."},
        },
    },
    "StandingOrderRequest": {
        "type": "object", "required": ["weekday", "fulfilment", "items"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 1, "maximum": 7,
                        "description": "ISO weekday (1 = Monday); one of the sub-region's delivery weekdays."},
            "fulfilment": _FULFILMENT, "items": _ITEMS,
            "payment_method": {"type": "string", "enum": ["pay_on_pickup", "invoice"], "default": "pay_on_pickup",
                               "description": "Methods the job can use without you; invoice where offered."},
        },
    },
    "StandingOrderChange": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {
            "state": {"type": "string", "enum": ["paused", "active"]},
            "skip": {"type": "string", "format": "date",
                     "description": "A coming delivery day of this standing order to order nothing on."},
            "items": _ITEMS, "fulfilment": _FULFILMENT,
        },
    },
}
PATHS = {
    "/standing-orders": {
        "get": {
            "summary": "Your standing orders, with state and next order date.", "operationId": "listStandingOrders",
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "Standing orders.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["items"], "properties": {"items": {
                    "type": "array", "items": {"$ref": "#/components/schemas/StandingOrder"}}}}}}},
                "401": {"$ref": "#/components/responses/Error401"}},
        },
        "post": {
            "summary": "Order a basket every week on a delivery weekday. The order is placed "
                       "STANDING_ORDER_LEAD_MINUTES (default 120) before each cut-off; lines that cannot be "
                       "filled are reported to you, the rest is ordered." + _STANDING_ERRORS,
            "operationId": "createStandingOrder", "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrderRequest"}}}},
            "responses": {"201": {"description": "The standing order.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrder"}}}},
                **{str(s): {"$ref": f"#/components/responses/Error{s}"} for s in (400, 401, 422)}},
        },
    },
    "/standing-orders/{standing_id}": {
        "parameters": [{"name": "standing_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}}],
        "get": {
            "summary": "One standing order. " + _WHO, "operationId": "getStandingOrder",
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "The standing order.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrder"}}}},
                **{str(s): {"$ref": f"#/components/responses/Error{s}"} for s in (401, 404)}},
        },
        "patch": {
            "summary": "Pause or resume it, skip a day, change items or fulfilment; a refusal changes "
                       "nothing. " + _WHO + _STANDING_ERRORS,
            "operationId": "updateStandingOrder", "security": [{"bearer": []}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrderChange"}}}},
            "responses": {"200": {"description": "The standing order.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrder"}}}},
                **{str(s): {"$ref": f"#/components/responses/Error{s}"} for s in (400, 401, 404, 409, 422)}},
        },
        "delete": {
            "summary": "End it (orders already placed stay). " + _WHO, "operationId": "endStandingOrder",
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "The ended standing order.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/StandingOrder"}}}},
                **{str(s): {"$ref": f"#/components/responses/Error{s}"} for s in (401, 404)}},
        },
    },
}
