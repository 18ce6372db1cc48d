"""The OpenAPI description of the locker device API (/api/v1/devices/…), merged by openapi.py."""
from __future__ import annotations

_INT = {"type": "integer"}
_STATION = {"name": "station_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str, **extra: dict) -> dict:
    return _json({"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string"}, "detail": {"type": "string"}, **extra}}, description)


_REFUSED = _error(
    "The signature is refused and nothing happens: `bad_signature` (wrong key or signature, "
    "upper-case hex, a missing or malformed header, a station header that is not the path's "
    "station), `stale_request` (timestamp more than 300 s off), `replayed_nonce` (nonce seen "
    "for this station within 10 minutes)."
)

SECURITY_SCHEMES = {
    "deviceSignature": {
        "type": "apiKey", "in": "header", "name": "X-Landkorb-Signature",
        "description": "With X-Landkorb-Station, X-Landkorb-Timestamp (Unix seconds) and "
                       "X-Landkorb-Nonce (16-64 of [A-Za-z0-9_-]): the lower-case hex HMAC-SHA256, "
                       "keyed with the station's 32 key bytes, over METHOD, PATH, TIMESTAMP, NONCE "
                       "and the body's SHA-256 hex digest joined by newlines (DESIGN.md).",
    },
}

SCHEMAS = {
    "PickupRequest": {
        "type": "object", "required": ["code"],
        "properties": {"code": {"type": "string", "pattern": "^[0-9]{8}$"}},
    },
    "StationEvents": {
        "type": "object", "required": ["events"],
        "properties": {"events": {"type": "array", "minItems": 1, "maxItems": 500, "items": {
            "type": "object", "required": ["kind", "compartment", "at"],
            "properties": {
                "kind": {"type": "string", "enum": ["door_opened", "door_closed", "temperature", "fault"]},
                "compartment": {"type": "string", "description": "A compartment label of this station."},
                "at": {"type": "string", "format": "date-time", "description": "With an offset or Z; "
                       "at most 30 days old and 300 s ahead."},
                "value": {"type": ["number", "string", "null"], "description": "°C for temperature "
                          "(-60 to 80); an optional fault code for fault."},
            }}}},
    },
    "Pickup": {
        "type": "object", "required": ["order_number", "compartments"],
        "properties": {"order_number": {"type": "string"},
                       "compartments": {"type": "array", "items": {"type": "string"}}},
    },
}

_DEVICE = [{"deviceSignature": []}]

PATHS = {
    "/devices/stations/{station_id}/pickups": {
        "parameters": [_STATION],
        "post": {
            "summary": "A resident typed a pickup code at the station's keypad.",
            "operationId": "devicePickup", "security": _DEVICE,
            "description": "After 10 wrong codes in a row the keypad locks for 15 minutes; after 30 "
                           "within 24 hours until the operator releases it. While locked, no code is checked.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/PickupRequest"}}}},
            "responses": {
                "200": _json({"$ref": "#/components/schemas/Pickup"}, "The code was valid: open these compartments; the order is picked up."),
                "401": _REFUSED,
                "404": _error("`unknown_code`: wrong, used or expired.",
                              attempts_left={"type": "integer", "minimum": 0, "maximum": 9}),
                "409": _error("`invalid_transition`: the order is not waiting to be collected."),
                "422": _error("`invalid_code`: not 8 digits; counted as a wrong code.",
                              attempts_left={"type": "integer", "minimum": 0, "maximum": 9}),
                "423": _error("`keypad_locked`.", locked_until={
                    "type": ["string", "null"], "format": "date-time",
                    "description": "null: locked until the operator releases it."}),
            },
        },
    },
}

PATHS["/devices/stations/{station_id}/events"] = {
    "parameters": [_STATION],
    "post": {
        "summary": "Door, temperature and fault events of the station's compartments.",
        "operationId": "deviceEvents", "security": _DEVICE,
        "description": "Checked whole before anything is stored. Temperatures go into the cold-chain "
                       "log; a fault, a door open longer than 300 s or a temperature above the limit "
                       "(chilled 7 °C, frozen -15 °C; configurable) takes the compartment out of service.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/StationEvents"}}}},
        "responses": {
            "202": _json({"type": "object", "required": ["accepted", "out_of_service"], "properties": {
                "accepted": {"type": "boolean"},
                "out_of_service": {"type": "array", "items": {"type": "string"},
                                   "description": "Labels this batch took out of service."}}},
                "Stored."),
            "400": _error("`invalid_json`: the body is not a JSON object."),
            "401": _REFUSED,
            "422": _error("`invalid_event`: the first bad event (kind, compartment, at or value); nothing is stored."),
        },
    },
}

_COUNT = {"type": ["number", "null"], "minimum": 0}

PATHS["/pickup-places/{place_id}/availability"] = {
    "parameters": [{"name": "place_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
    "get": {
        "summary": "Free room at a pickup place on a delivery day, per temperature class.",
        "operationId": "getPickupPlaceAvailability", "security": [],
        "parameters": [{"name": "date", "in": "query", "required": True,
                        "schema": {"type": "string", "format": "date"}, "description": "YYYY-MM-DD."}],
        "responses": {
            "200": _json({"type": "object", "required": ["date", "free"], "properties": {
                "date": {"type": "string", "format": "date"},
                "free": {"type": "object", "required": ["ambient", "chilled", "frozen"],
                         "description": "A station's free compartments (not out of service, not "
                                        "reserved that day); a sales point's crate units left of its "
                                        "daily capacity, null where it is not limited.",
                         "properties": {"ambient": _COUNT, "chilled": _COUNT, "frozen": _COUNT}}}},
                "Free room."),
            "404": _error("`not_found`: no such approved pickup place."),
            "422": _error("`invalid_date`: the date is missing or not YYYY-MM-DD."),
        },
    },
}
