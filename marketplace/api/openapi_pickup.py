"""The OpenAPI description of the resident's pickup code (order field and QR), merged by openapi.py."""
from __future__ import annotations

PICKUP = {
    "type": ["object", "null"],
    "description": "Only for the order's resident, while the pickup code is valid (else null): "
                   "the 8 digits, the pickup place, the compartments, the collect-by time and the QR code's URL.",
    "required": ["code", "place_id", "compartments", "collect_by", "qr_svg_url"],
    "properties": {
        "code": {"type": "string", "pattern": "^[0-9]{8}$"},
        "place_id": {"type": "integer"},
        "compartments": {"type": "array", "items": {"type": "string"}},
        "collect_by": {"type": "string", "format": "date-time"},
        "qr_svg_url": {"type": "string"},
    },
}

PATHS = {
    "/orders/{order_id}/pickup-code.svg": {
        "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "get": {
            "summary": "The order's valid pickup code as a QR code (SVG, segno).",
            "description": "For the order's resident: a bearer token or the web session. "
                           "Anyone else gets 401; no valid code, 404.",
            "operationId": "getPickupCodeQr", "security": [{"bearer": []}, {}],
            "responses": {
                "200": {"description": "The QR code.", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
                "401": {"$ref": "#/components/responses/Error401"},
                "404": {"$ref": "#/components/responses/Error404"},
            },
        },
    },
}
