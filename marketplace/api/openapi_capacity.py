"""OpenAPI parts of capacity-aware checkout: the 409 `no_room` answer with its alternatives."""
from __future__ import annotations

SCHEMAS = {
    "NoRoom": {
        "type": "object", "required": ["error", "detail", "alternatives"],
        "description": "The chosen pickup place has no room left that day (no fitting free compartment "
                       "at a station, a sales point's crate units used up); nothing was placed.",
        "properties": {
            "error": {"type": "string", "const": "no_room"},
            "detail": {"type": "string"},
            "alternatives": {
                "type": "array", "maxItems": 3,
                "description": "Pickup places of your sub-region that fit the basket (cold chain), are "
                               "open that day and still have room, nearest to your home first.",
                "items": {
                    "type": "object", "required": ["pickup_place_id", "name", "distance_km"],
                    "properties": {
                        "pickup_place_id": {"type": "integer"}, "name": {"type": "string"},
                        "distance_km": {"type": "number"},
                    },
                },
            },
        },
    },
}

ORDER_CONFLICT = {
    "description": "Conflicts with the current state: `out_of_stock`, `cutoff_passed`, "
                   "`pickup_place_closed`, or `no_room` (with alternatives).",
    "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/NoRoom"}, {"$ref": "#/components/schemas/Error"},
    ]}}},
}
