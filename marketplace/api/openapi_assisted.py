"""The OpenAPI description of /api/v1/assisted/orders (api/assisted.py), merged by api/openapi.py."""
from __future__ import annotations

_TEXT = {"type": "string", "minLength": 1, "maxLength": 200}

SCHEMAS = {
    "AssistedResident": {
        "oneOf": [
            {"type": "object", "required": ["id"], "additionalProperties": False,
             "properties": {"id": {"type": "integer", "description": "A resident of your sub-region."}}},
            {"type": "object", "required": ["name", "street", "postcode", "place", "consent"],
             "description": "A new resident without an e-mail address, at home in your sub-region.",
             "properties": {
                 "name": _TEXT, "phone": {"type": ["string", "null"], "maxLength": 40},
                 "street": _TEXT, "postcode": {"type": "string", "minLength": 1, "maxLength": 10}, "place": _TEXT,
                 "channel": {"type": "string", "enum": ["sms", "slip"],
                             "description": "How Landkorb tells them (default: sms with a phone, else slip)."},
                 "consent": {"type": "object", "required": ["given_by", "text_version"], "properties": {
                     "given_by": {"type": "string", "enum": ["phone", "in_person"]},
                     "text_version": {"type": "string", "description": "The consent text read out or shown "
                                                                     "(the current one is 2026-12)."}}},
             }},
        ],
    },
    "AssistedOrderRequest": {
        "type": "object", "required": ["resident", "delivery_date", "fulfilment", "items"],
        "properties": {
            "resident": {"$ref": "#/components/schemas/AssistedResident"},
            "delivery_date": {"type": "string", "format": "date"},
            "fulfilment": {"$ref": "#/components/schemas/OrderRequest/properties/fulfilment"},
            "payment_method": {"type": "string", "enum": ["pay_on_pickup", "invoice"], "default": "pay_on_pickup"},
            "items": {"$ref": "#/components/schemas/OrderRequest/properties/items"},
        },
    },
}
PATHS = {
    "/assisted/orders": {
        "post": {
            "summary": "Staff of a sales point or Regio-Hub order for a resident who phoned or came by "
                       "(a known resident of their sub-region, or a new one registered with the consent as "
                       "given). Paid on pickup or by invoice. A resident or address in another sub-region "
                       "is `outside_sub_region` (422) and nothing is created; a token of anyone but sales-point "
                       "staff gets 404.",
            "operationId": "createAssistedOrder", "security": [{"bearer": []}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                            "schema": {"type": "string", "maxLength": 200}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/AssistedOrderRequest"}}}},
            "responses": {
                "201": {"description": "The order, and the slip to print (it opens with your token or web "
                                       "session, and for nobody else).",
                        "content": {"application/json": {"schema": {
                            "type": "object", "required": ["order", "slip_url"], "properties": {
                                "order": {"$ref": "#/components/schemas/Order"},
                                "slip_url": {"type": "string"}}}}}},
                **{str(s): {"$ref": f"#/components/responses/Error{s}"} for s in (400, 401, 404, 409, 422)},
            },
        },
    },
}
