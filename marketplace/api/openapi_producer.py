"""The OpenAPI description of /api/v1/producer (merged into openapi.py's document)."""
from __future__ import annotations

from marketplace.api.openapi import _BEARER, _CENTS, _INT, _PAGING, _errors, _json, _path_id, _query, _ref

_UNITS = ["piece", "kg", "100g", "500g", "bunch", "litre", "bottle"]
_TEMPERATURES = ["ambient", "chilled", "frozen"]
_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "article_number": {"type": ["string", "null"], "maxLength": 40, "description": "Your own, unique among your products."},
    "description": {"type": "string", "maxLength": 5000},
    "category": {"type": "string", "description": "A category's slug."},
    "unit": {"type": "string", "enum": _UNITS},
    "price_cents": {**_CENTS, "maximum": 1000000, "description": "Gross price per unit in integer cents."},
    "vat_rate": {"type": "integer", "enum": [0, 7, 19],
                 "description": "7 or 19; 0 (and only 0) for small businesses under §19 UStG."},
    "temperature": {"type": "string", "enum": _TEMPERATURES},
    "crate_units": {"type": "number", "exclusiveMinimum": 0, "maximum": 99.999, "description": "At most three decimals."},
    "stock": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000000, "description": "null: made to order."},
    "is_active": {"type": "boolean", "description": "false: paused (not in the shop)."},
    "organic": {"type": "boolean"},
    "unit_weight_g": {"type": ["integer", "null"], "minimum": 1, "description": "For the price per kg."},
    "unit_volume_ml": {"type": ["integer", "null"], "minimum": 1, "description": "For the price per litre."},
    "min_quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
    "quantity_step": {"type": "integer", "minimum": 1, "maximum": 1000},
    "weekdays": {"type": "array", "minItems": 1, "items": {"type": "integer", "minimum": 1, "maximum": 7},
                 "description": "ISO weekdays it can be delivered on (Monday = 1)."},
    "season_start": {"type": ["string", "null"], "format": "date", "description": "With season_end, at most a year before it; repeats yearly."},
    "season_end": {"type": ["string", "null"], "format": "date"},
    "weight_tolerance_pct": {"type": ["integer", "null"], "minimum": 1, "maximum": 50,
                             "description": "Sold by weight (ca. the unit's weight): the real weight may lie this many per cent off, and the price follows it per kg. null: a fixed price."},
}
_ROW_ERRORS = {"type": "array", "items": {"type": "object", "required": ["row", "column", "error"], "properties": {
    "row": {"type": "integer", "description": "As the spreadsheet numbers it: the header is row 1."},
    "column": {"type": ["string", "null"], "description": "The header's name; null for the whole file."},
    "error": {"type": "string"}}}}
_IMPORT_COUNTS = {"created": _INT, "updated": _INT, "unchanged": _INT, "errors": _ROW_ERRORS}
_CSV = {"text/csv": {"schema": {"type": "string"}}}
_FILE = {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
}

SCHEMAS = {
    "ProducerProduct": {
        "allOf": [_ref("ProductDetail"), {"type": "object", "properties": {
            "article_number": {"type": ["string", "null"]},
            "archived_at": {"type": ["string", "null"], "format": "date-time"},
            "crate_units": {"type": "number"}, "min_quantity": _INT, "quantity_step": _INT,
            "unit_weight_g": {"type": ["integer", "null"]}, "unit_volume_ml": {"type": ["integer", "null"]},
            "weight_tolerance_pct": {"type": ["integer", "null"]},
            "weekdays": {"type": "array", "items": _INT},
            "season_start": {"type": ["string", "null"], "format": "date"},
            "season_end": {"type": ["string", "null"], "format": "date"},
            "photo": {"type": ["object", "null"], "description": "URLs by width in pixels.",
                      "additionalProperties": {"type": "string", "format": "uri"}},
        }}],
    },
    "ProducerProductPage": {
        "type": "object", "required": ["items", "page", "pages", "total"],
        "properties": {"items": {"type": "array", "items": _ref("ProducerProduct")},
                       "page": _INT, "pages": _INT, "total": _INT, "per_page": _INT,
                       "total_is_exact": {"type": "boolean", "description": "Always true: counted exactly."}},
    },
    "ProducerProductNew": {
        "type": "object", "additionalProperties": False,
        "required": ["name", "category", "unit", "price_cents", "vat_rate"], "properties": _FIELDS,
    },
    "ProducerProductChange": {
        "type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS,
    },
    "StockSync": {
        "type": "object", "required": ["items"],
        "properties": {"items": {"type": "array", "minItems": 1, "maxItems": 10000, "items": {
            "type": "object", "required": ["article_number", "stock"],
            "properties": {"article_number": {"type": "string"},
                           "stock": {"type": ["integer", "null"], "minimum": 0}}}}},
    },
    "ImportResult": {"type": "object", "required": list(_IMPORT_COUNTS), "properties": _IMPORT_COUNTS},
}

PATHS = {
    "/producer/products": {
        "get": {
            "summary": "Your own products by name, paused ones included.", "operationId": "listProducerProducts",
            "security": _BEARER,
            "parameters": [_query("archived", {"type": "boolean", "default": False}, "Include archived products."),
                           *_PAGING],
            "responses": {"200": _json(_ref("ProducerProductPage"), "One page of your products."),
                          **_errors(401, 403, 422)},
        },
        "post": {
            "summary": "Create a product.", "operationId": "createProducerProduct", "security": _BEARER,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ProducerProductNew")}}},
            "responses": {"201": _json(_ref("ProducerProduct"), "The new product."), **_errors(400, 401, 403, 422)},
        },
    },
    "/producer/products/{product_id}": {
        "parameters": [_path_id("product_id")],
        "patch": {
            "summary": "Change any of a product's fields.", "operationId": "updateProducerProduct",
            "security": _BEARER,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ProducerProductChange")}}},
            "responses": {"200": _json(_ref("ProducerProduct"), "The changed product."),
                          **_errors(400, 401, 403, 404, 409, 422)},
        },
        "delete": {
            "summary": "Archive a product: gone from the shop and the public API; past orders keep it.",
            "operationId": "archiveProducerProduct", "security": _BEARER,
            "responses": {"200": _json(_ref("ProducerProduct"), "The archived product."), **_errors(401, 403, 404)},
        },
    },
    "/producer/products/{product_id}/photo": {
        "parameters": [_path_id("product_id")],
        "put": {
            "summary": "Set the product's photo: JPEG, PNG or WebP up to 10 MB, as the body or multipart `file`.",
            "description": "Re-encoded without metadata and stored in several widths. Not an accepted image, "
                           "or more than 50 megapixels (`invalid_photo`, `photo_too_many_pixels`): 422; over "
                           "10 MB: 413. Nothing is stored on a refusal.",
            "operationId": "putProducerProductPhoto", "security": _BEARER,
            "requestBody": {"required": True, "content": {
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/webp": {"schema": {"type": "string", "format": "binary"}}, **_FILE}},
            "responses": {"200": _json({"type": "object", "required": ["id", "photo"], "properties": {
                "id": _INT, "photo": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"},
                                      "description": "URLs by width in pixels."}}}, "The photo's URLs."),
                **_errors(401, 403, 404, 409, 413, 422)},
        },
    },
    "/producer/stock": {"post": {
        "summary": "Set the stock of many products by article number, all or nothing.",
        "description": "Any wrong item: 422 `invalid_items` with `items: [{article_number, error}]` "
                       "(`unknown_article_number`, `invalid_stock`, `duplicate_article_number`, "
                       "`missing_article_number`) and nothing changed.",
        "operationId": "syncProducerStock", "security": _BEARER,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("StockSync")}}},
        "responses": {"200": _json({"type": "object", "properties": {"items": {"type": "array", "items": {
            "type": "object", "properties": {"article_number": {"type": "string"},
                                             "stock": {"type": ["integer", "null"]}}}}}}, "The new stock."),
            **_errors(400, 401, 403, 422)},
    }},
    "/producer/products.csv": {"get": {
        "summary": "Your current products as a German spreadsheet (UTF-8 with BOM, `;`, decimal comma).",
        "operationId": "exportProducerProductsCsv", "security": _BEARER,
        "responses": {"200": {"description": "Header Artikelnummer;Name;Kategorie;Einheit;Preis;MwSt;"
                                             "Lagerung;Kisten;Bestand;Aktiv;Beschreibung.", "content": _CSV},
                      **_errors(401, 403)},
    }},
    "/producer/products.xlsx": {"get": {
        "summary": "Your current products as an Excel workbook: the same columns, numbers as numbers.",
        "operationId": "exportProducerProductsXlsx", "security": _BEARER,
        "responses": {"200": {"description": "One sheet, the header of the CSV.", "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}}}}, **_errors(401, 403)},
    }},
    "/producer/products/import": {"post": {
        "summary": "Create and update products from the spreadsheet format, matched by article number.",
        "description": "UTF-8 (with or without BOM) or Windows-1252, `;` or `,`; or an .xlsx workbook "
                       "(its first sheet, told apart by its content). With dry_run=true: always 200 "
                       "with the counts and every error, nothing written. Otherwise 200 with the counts when "
                       "every row is good (all written in one transaction), or 422 `invalid_rows` with the "
                       "errors and nothing written; a file that cannot be read at all: 422 `invalid_spreadsheet`.",
        "operationId": "importProducerProducts", "security": _BEARER,
        "parameters": [_query("dry_run", {"type": "boolean", "default": False}, "Check only.")],
        "requestBody": {"required": True, "content": {**_CSV, **_FILE}},
        "responses": {"200": _json(_ref("ImportResult"), "The counts (and, on a dry run, the errors)."),
                      **_errors(401, 403, 413, 422)},
    }},
}
