"""The OpenAPI description of /api/v1/driver/… (api/driver.py), merged by api/openapi.py."""
from __future__ import annotations

_ISO = {"type": "string", "format": "date-time", "description": "ISO 8601 with an offset or Z."}
_ISO_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_CRATES = {"type": "object", "required": ["ambient", "chilled", "frozen"],
           "properties": {t: {"type": "integer", "minimum": 0} for t in ("ambient", "chilled", "frozen")},
           "description": "Crates per temperature class."}
_UUID = {"type": "string", "format": "uuid", "description": "Made by the phone, one per event; repeats are recognised."}
_NOTE = {"type": "string", "maxLength": 1000}


def _error(text: str) -> dict:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict, text: str) -> dict:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


SCHEMAS = {
    "DriverStop": {
        "type": "object", "required": ["id", "sequence", "kind", "pickup_place_id", "orders"],
        "properties": {
            "id": {"type": "integer"}, "sequence": {"type": "integer"},
            "kind": {"type": "string", "enum": ["depot", "drop", "pickup"],
                     "description": "depot: the hub; drop: unload; pickup: load at a producer."},
            "pickup_place_id": {"type": ["integer", "null"]},
            "orders": {"type": "array", "items": {"type": "integer"}, "description": "Order ids handled here."},
            "type": {"type": "string", "enum": ["hub", "producer", "station", "sales_point", "door"]},
            "label": {"type": "string"}, "village": {"type": "string"}, "address": {"type": "string"},
            "lat": {"type": "number"}, "lon": {"type": "number"},
            "geo_uri": {"type": "string", "description": "geo: URI for the phone's navigation app."},
            "planned_arrival": _ISO, "expected_arrival": {**_ISO_OR_NULL, "description":
                "Re-estimated from the actual times recorded so far (the actual one once known)."},
            "window": {"type": ["array", "null"], "items": _ISO, "minItems": 2, "maxItems": 2},
            "crates": {**_CRATES, "description": "What is unloaded (drop) or loaded (pickup) here."},
            "contact": {"type": ["object", "null"], "properties": {
                "name": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}},
                "description": "The sales point's or station's contact, the producer, or the resident at a door."},
            "state": {"type": "string", "enum": ["open", "done", "problem"]},
            "outcome": {"type": ["string", "null"], "enum": ["delivered", "partly", "failed", None]},
            "arrived_at": _ISO_OR_NULL, "done_at": _ISO_OR_NULL, "note": {"type": "string"},
            "order_details": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "number": {"type": "string"}, "resident": {"type": "string"},
                "crates": _CRATES, "compartments": {"type": "array", "items": {"type": "string"}},
                "door": {"type": ["object", "null"], "properties": {
                    "street": {"type": ["string", "null"]}, "postcode": {"type": ["string", "null"]},
                    "town": {"type": ["string", "null"]}, "window": {"type": ["string", "null"]}}},
                "goods": {"type": "array", "items": {"type": "object", "properties": {
                    "producer": {"type": "string"}, "product": {"type": "string"},
                    "quantity": {"type": "integer"}, "temperature": {"type": "string"}}}}}}},
        },
    },
    "DriverTour": {
        "type": "object", "required": ["id", "vehicle", "trips"],
        "description": "One vehicle's trips of the day; `id` is its first trip's.",
        "properties": {
            "id": {"type": "integer"}, "date": {"type": "string", "format": "date"},
            "vehicle": {"type": "object", "required": ["id", "name"],
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "sub_region": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
            "driver_id": {"type": "integer"},
            "trips": {"type": "array", "items": {"type": "object", "required": ["kind", "stops"], "properties": {
                "id": {"type": "integer", "description": "The trip's tour id, for tour_started and tour_ended."},
                "kind": {"type": "string", "enum": ["collection", "distribution"]},
                "state": {"type": "string", "enum": ["published", "started", "ended"]},
                "start": _ISO, "end": _ISO, "started_at": _ISO_OR_NULL, "ended_at": _ISO_OR_NULL,
                "empty_crates_back": {"type": ["integer", "null"]}, "km": {"type": "number"}, "crates": _CRATES,
                "map_url": {"type": "string", "description": "The trip's route map (SVG)."},
                "stops": {"type": "array", "items": {"$ref": "#/components/schemas/DriverStop"}}}}},
        },
    },
    "DriverEvent": {
        "oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["client_event_id", "kind", "tour_id", "at"],
             "properties": {"client_event_id": _UUID, "kind": {"type": "string", "enum": ["tour_started", "tour_ended"]},
                            "tour_id": {"type": "integer"}, "at": _ISO, "note": _NOTE,
                            "empty_crates": {"type": ["integer", "null"], "minimum": 0,
                                             "description": "tour_ended: empty crates brought back."}}},
            {"type": "object", "additionalProperties": False, "required": ["client_event_id", "kind", "stop_id", "at"],
             "properties": {"client_event_id": _UUID,
                            "kind": {"type": "string", "enum": ["arrived", "delivered", "partly_delivered", "failed"]},
                            "stop_id": {"type": "integer"}, "at": _ISO,
                            "note": {**_NOTE, "description": "Required for partly_delivered and failed: what happened."},
                            "returned_orders": {"type": "array", "items": {"type": "integer"},
                                                "description": "partly_delivered: orders of the stop that stay in the van."}}},
        ],
    },
}

PATHS = {
    "/driver/tours": {"get": {
        "summary": "The published tours of a day assigned to the token's driver.",
        "operationId": "listDriverTours",
        "parameters": [{"name": "date", "in": "query", "required": True,
                        "schema": {"type": "string", "format": "date"}, "description": "YYYY-MM-DD."}],
        "responses": {
            "200": _json({"type": "object", "required": ["items"], "properties": {
                "date": {"type": "string", "format": "date"},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/DriverTour"}}}},
                "Everything the phone needs to drive the day offline."),
            "401": _error("`unauthorized`."), "403": _error("`forbidden`: not a driver."),
            "422": _error("`invalid_date`."),
        },
    }},
    "/driver/tours/{tour_id}/map.svg": {
        "parameters": [{"name": "tour_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "summary": "The trip's route as an SVG map with the village names; the next stop highlighted.",
            "operationId": "getDriverTourMap",
            "responses": {"200": {"description": "SVG; each stop is a `g[data-stop=ID]`.",
                                  "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                          "401": _error("`unauthorized`."), "404": _error("`not_found`: not your tour.")},
        },
    },
    "/driver/stops/{stop_id}/delivered": {
        "parameters": [{"name": "stop_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "post": {
            "summary": "Confirm a stop delivered, once per client_event_id.",
            "operationId": "confirmDriverStop",
            "description": "The same client_event_id again gets the identical answer and changes nothing. "
                           "A stop of a tour not started yet starts the tour. Compartments are those the "
                           "orders hold at their station after the delivery.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False, "required": ["client_event_id", "at"],
                "properties": {"client_event_id": _UUID, "at": _ISO}}}}},
            "responses": {
                "200": _json({"type": "object", "required": ["stop_id", "orders"], "properties": {
                    "stop_id": {"type": "integer"},
                    "orders": {"type": "array", "items": {"type": "object", "required": ["id", "number", "compartments"],
                               "properties": {"id": {"type": "integer"}, "number": {"type": "string"},
                                              "compartments": {"type": "array", "items": {"type": "string"}}}}}}},
                    "Delivered."),
                "401": _error("`unauthorized`."), "404": _error("`not_found`: not your stop."),
                "409": _error("`already_delivered` (another client_event_id for a stop already done), "
                              "`tour_not_published`, `before_publication`, `after_tour_end`."),
                "422": _error("`invalid_input` (client_event_id not a UUID, at without offset), `event_in_future` "
                              "(more than 5 minutes past the server's clock), `client_event_id_reused`, `not_a_stop`."),
            },
        },
    },
    "/driver/events": {"post": {
        "summary": "The phone's recorded events, sent when it has a network; each applied once.",
        "operationId": "sendDriverEvents",
        "description": "Events new to the server are applied in the order of their `at` (accepted from the tour's "
                       "publication up to five minutes past the server's clock). A client_event_id seen before is "
                       "`duplicate` (a rejected one stays `rejected` with its reason). An event that does not fit "
                       "the tour as it is now is `rejected` with a reason: `unknown_stop`, `unknown_tour` (not "
                       "yours, or gone after re-planning), `already_delivered`, `before_publication`, "
                       "`after_tour_end`, `tour_already_started`, `tour_not_started`, `tour_already_ended`, "
                       "`reason_required`, `order_not_at_stop`, `not_a_stop`, `tour_not_published`. At most 500 "
                       "events; one malformed event refuses the whole batch (422) with nothing changed.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["events"], "properties": {
                "events": {"type": "array", "maxItems": 500, "items": {"$ref": "#/components/schemas/DriverEvent"}}}}}}},
        "responses": {
            "200": _json({"type": "object", "required": ["results"], "properties": {"results": {
                "type": "array", "description": "One per event, in the order sent.",
                "items": {"type": "object", "required": ["client_event_id", "status", "reason"], "properties": {
                    "client_event_id": _UUID,
                    "status": {"type": "string", "enum": ["applied", "duplicate", "rejected"]},
                    "reason": {"type": ["string", "null"]},
                    "detail": {"type": ["string", "null"], "description": "The reason in words, for the driver."}}}}}},
                "What became of each event."),
            "401": _error("`unauthorized`."), "403": _error("`forbidden`: not a driver."),
            "422": _error("`invalid_input` (with the field, e.g. events[2].kind), `event_in_future`."),
        },
    }},
}
