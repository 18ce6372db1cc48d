"""The OpenAPI description of /api/v1/producer/days and /lines (merged into openapi.py's document)."""
from __future__ import annotations

from marketplace.api.openapi import _BEARER, _CENTS, _INT, _errors, _json, _path_id, _ref

_NULL_INT = {"type": ["integer", "null"]}
_NULL_STR = {"type": ["string", "null"]}
_DATE = {"name": "date", "in": "path", "required": True, "schema": {"type": "string", "format": "date"},
         "description": "The delivery day, YYYY-MM-DD."}

SCHEMAS = {
    "PackingLine": {"type": "object", "properties": {
        "id": _INT, "product_id": _INT, "name": {"type": "string"}, "unit": {"type": "string"},
        "temperature": {"type": "string", "enum": ["ambient", "chilled", "frozen"]},
        "quantity": _INT, "short_quantity": _INT, "short_cents": _CENTS, "unit_price_cents": _CENTS,
        "vat_rate": _INT, "total_cents": _CENTS, "variable_weight": {"type": "boolean"},
        "nominal_weight_g": _NULL_INT, "weight_tolerance_pct": _NULL_INT, "price_per_kg_cents": _NULL_INT,
        "weight_grams": _NULL_INT,
    }},
    "ProducerDay": {"type": "object", "required": ["date", "pick_list", "packing_list"], "properties": {
        "date": {"type": "string", "format": "date"}, "cutoff_at": {"type": ["string", "null"], "format": "date-time"},
        "packed": {"type": "boolean"}, "orders": _INT, "lines": _INT, "total_cents": _CENTS,
        "minimum": {"type": "array", "items": {"type": "object", "properties": {
            "sub_region": {"type": "string"}, "state": {"type": "string", "enum": ["listed", "awaiting", "confirmed", "declined"]},
            "turnover_cents": _CENTS, "minimum_cents": _NULL_INT}}},
        "pick_list": {"type": "array", "description": "Totals per product.", "items": {"type": "object", "properties": {
            "product_id": _INT, "article_number": _NULL_STR, "name": {"type": "string"}, "unit": {"type": "string"},
            "temperature": {"type": "string"}, "quantity": _INT, "short_quantity": _INT, "to_pack": _INT}}},
        "packing_list": {"type": "array", "description": "By sub-region and pickup place or door.", "items": {
            "type": "object", "properties": {
                "sub_region": {"type": "string"}, "sub_region_name": {"type": "string"},
                "fulfilment": {"type": "string", "enum": ["station", "sales_point", "door"]}, "pickup_place": _NULL_STR,
                "orders": {"type": "array", "items": {"type": "object", "properties": {
                    "number": {"type": "string"}, "status": {"type": "string"}, "resident_name": {"type": "string"},
                    "fulfilment": {"type": "string"}, "pickup_place": _NULL_STR,
                    "street": {**_NULL_STR, "description": "Door deliveries only."}, "town": _NULL_STR,
                    "door_window": _NULL_STR, "packed": {"type": "boolean"}, "total_cents": _CENTS,
                    "lines": {"type": "array", "items": _ref("PackingLine")}}}}}}},
    }},
}

PATHS = {
    "/producer/days/{date}": {
        "parameters": [_DATE],
        "get": {
            "summary": "Your pick list and packing list of a delivery day.", "operationId": "getProducerDay",
            "security": _BEARER,
            "responses": {"200": _json(_ref("ProducerDay"), "The day."), **_errors(401, 403, 422)},
        },
    },
    "/producer/days/{date}/packed": {
        "parameters": [_DATE],
        "post": {
            "summary": "Mark your part of the day packed (after its cut-off); an order moves to packed when all its producers have packed.",
            "operationId": "markProducerDayPacked", "security": _BEARER,
            "responses": {"200": _json({"type": "object", "properties": {
                "date": {"type": "string", "format": "date"}, "producer_orders": _INT,
                "orders_packed": {"type": "array", "items": {"type": "string"}}}}, "What was packed."),
                **_errors(401, 403, 409, 422)},
        },
    },
    "/producer/lines/{line_id}": {
        "parameters": [_path_id("line_id")],
        "patch": {
            "summary": "Enter a variable-weight line's real weight, or the units you cannot deliver.",
            "description": "`weight_grams` outside the product's bound: 422 `weight_out_of_bounds`; "
                           "`short_quantity` from 0 to the quantity (0 takes it back). Totals and VAT follow; "
                           "the resident is told.",
            "operationId": "changeProducerLine", "security": _BEARER,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "oneOf": [
                    {"type": "object", "required": ["weight_grams"], "additionalProperties": False,
                     "properties": {"weight_grams": {"type": "integer", "minimum": 1}}},
                    {"type": "object", "required": ["short_quantity"], "additionalProperties": False,
                     "properties": {"short_quantity": {"type": "integer", "minimum": 0}}},
                ]}}}},
            "responses": {"200": _json({"allOf": [_ref("PackingLine"), {"type": "object", "properties": {
                "order_total_cents": _CENTS, "order_status": {"type": "string"}}}]}, "The changed line."),
                **_errors(401, 403, 404, 409, 422)},
        },
    },
}
