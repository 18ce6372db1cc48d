"""/api/v1/producer: a producer's own catalogue, stock sync, photos and spreadsheets.

The same services as the portal (catalog/services.py, photos.py, spreadsheet.py) behind JSON,
for producer staff's bearer tokens; another producer's product is a 404, like a missing one.
"""
from __future__ import annotations

from decimal import Decimal

from flask import current_app, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_act_for_producer
from marketplace.api import serialize
from marketplace.api.auth import api_user, token_required
from marketplace.api.parsing import InvalidField, body_date, body_list, json_object, query_bool, query_int
from marketplace.api.views import MAX_PAGE, MAX_PER_PAGE, bp
from marketplace.catalog import photos, queries, services, spreadsheet
from marketplace.catalog.models import Category, Producer, Product
from marketplace.catalog.portal import spreadsheet_download
from marketplace.core.clock import utcnow
from marketplace.core.errors import N_, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.web.errors import domain_message

# JSON field → ProductValues field; the rest of ProductValues is not settable here.
_FIELDS = {
    "name": "name", "article_number": "article_number", "description": "description",
    "category": "category_id", "unit": "unit", "price_cents": "price_cents", "vat_rate": "vat_rate",
    "temperature": "temperature", "crate_units": "crate_units", "stock": "stock",
    "is_active": "is_active", "organic": "is_organic", "unit_weight_g": "unit_weight_g",
    "unit_volume_ml": "unit_volume_ml", "min_quantity": "min_quantity", "quantity_step": "quantity_step",
    "weekdays": "weekday_mask", "season_start": "season_start", "season_end": "season_end",
    "weight_tolerance_pct": "weight_tolerance_pct",
}
_JSON_NAME = {value: key for key, value in _FIELDS.items()}
REQUIRED_ON_CREATE = ("name", "category", "unit", "price_cents", "vat_rate")


class InvalidProductFields(InvalidInput):
    """check_product's refusal with the API's field names."""

    code = "invalid_input"

    def __init__(self, error: services.InvalidProduct) -> None:
        self.fields = {_JSON_NAME.get(k, k): v for k, v in error.errors.items()}
        super().__init__(next(iter(self.fields.values())))

    def extra(self) -> dict:
        return {"field": next(iter(self.fields)), "fields": {k: gettext(v) for k, v in self.fields.items()}}


class InvalidRows(InvalidInput):
    code = "invalid_rows"
    message = N_("Einige Zeilen sind fehlerhaft; nichts wurde geschrieben.")

    def __init__(self, result: spreadsheet.ImportResult) -> None:
        self.result = result
        super().__init__()

    def extra(self) -> dict:
        return _import_counts(self.result)


def _producer() -> Producer:
    user = api_user()
    if not user.has_role(Role.PRODUCER):
        raise Forbidden()
    ids = user.scopes(Role.PRODUCER)
    producer = db.session.get(Producer, ids[0]) if ids else None
    if producer is None:
        raise Forbidden()
    return producer


def _own_product(product_id: int) -> Product:
    _producer()
    product = db.session.get(Product, product_id)
    if product is None or not can_act_for_producer(api_user(), product.producer_id):
        raise NotFound()  # another producer's product is none of this producer's business
    return product


def _item(product: Product) -> dict:
    return serialize.producer_product(product, _photo_urls(product.photo_key))


def _photo_urls(key: str | None) -> dict | None:
    if key is None:
        return None
    return {
        str(width): url_for("catalog.photo", name=photos.file_name(key, width), _external=True)
        for width in photos.WIDTHS
    }


def _changes(data: dict) -> dict:
    """The JSON body as ProductValues fields; wrong types are left to check_product's rules."""
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise InvalidField(field=unknown[0])
    changes = {}
    for name, value in data.items():
        if name == "category":
            category = db.session.scalars(select(Category.id).where(Category.slug == value)).first() \
                if isinstance(value, str) else None
            if category is None:
                raise InvalidField(field="category")
            value = category
        elif name == "crate_units":
            if type(value) not in (int, float):
                raise InvalidField(field=name)
            value = Decimal(str(value))
        elif name == "weekdays":
            if not isinstance(value, list) or not value or any(type(d) is not int or not 1 <= d <= 7 for d in value):
                raise InvalidField(field=name)
            value = sum(1 << (d - 1) for d in set(value))
        elif name in ("season_start", "season_end") and value is not None:
            value = body_date(data, name)
        changes[_FIELDS[name]] = value
    return changes


@bp.get("/producer/products")
@token_required
def producer_list_products():
    producer = _producer()
    page = query_int("page", 1, minimum=1, maximum=MAX_PAGE)
    per_page = query_int("per_page", 24, minimum=1, maximum=MAX_PER_PAGE)
    products, total = queries.list_producer_products_page(
        producer.id, include_archived=bool(query_bool("archived")), limit=per_page,
        offset=(page - 1) * per_page,
    )
    return {
        "items": [_item(p) for p in products], "page": page, "pages": -(-total // per_page),
        "total": total, "per_page": per_page, "total_is_exact": True,
    }


@bp.post("/producer/products")
@token_required
def producer_create_product():
    producer = _producer()
    data = json_object()
    missing = [name for name in REQUIRED_ON_CREATE if name not in data]
    if missing:
        raise InvalidField(field=missing[0])
    values = services.ProductValues(name="", category_id=None, unit="", price_cents=0, vat_rate=0)
    try:
        product = services.create_product(
            producer=producer, values=values.replace(**_changes(data)), now=utcnow()
        )
    except services.InvalidProduct as error:
        raise InvalidProductFields(error) from None
    answer = _item(product)  # read before the commit: after it the product would load again
    db.session.commit()
    return answer, 201


@bp.patch("/producer/products/<int:product_id>")
@token_required
def producer_update_product(product_id: int):
    product = _own_product(product_id)
    data = json_object()
    if not data:
        raise InvalidField(field="body")
    values = services.values_of(product).replace(**_changes(data))
    try:
        services.update_product(product=product, values=values, now=utcnow())
    except services.InvalidProduct as error:
        raise InvalidProductFields(error) from None
    answer = _item(product)
    db.session.commit()
    return answer


@bp.delete("/producer/products/<int:product_id>")
@token_required
def producer_archive_product(product_id: int):
    product = _own_product(product_id)
    services.archive_product(product=product, now=utcnow())
    answer = _item(product)
    db.session.commit()
    return answer


def _uploaded_bytes() -> bytes:
    """The request's file: multipart field `file`, or the body itself."""
    request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidField(field="file")
        return upload.read()
    return request.get_data(cache=False)


@bp.put("/producer/products/<int:product_id>/photo")
@token_required
def producer_put_photo(product_id: int):
    product = _own_product(product_id)
    upload_dir = current_app.config["UPLOAD_DIR"]
    replaced = services.set_product_photo(
        product=product, data=_uploaded_bytes(), upload_dir=upload_dir, now=utcnow()
    )
    answer = {"id": product.id, "photo": _photo_urls(product.photo_key)}
    db.session.commit()
    photos.delete_photo(replaced, upload_dir)
    return answer


@bp.post("/producer/stock")
@token_required
def producer_sync_stock():
    producer = _producer()
    items = body_list(json_object(), "items")
    if len(items) > 10_000:
        raise InvalidField(field="items")
    products = services.sync_stock(producer=producer, items=items, now=utcnow())
    answer = {"items": [{"article_number": p.article_number, "stock": p.stock} for p in products]}
    db.session.commit()
    return answer


@bp.get("/producer/products.csv")
@token_required
def producer_export_csv():
    return spreadsheet_download(_producer(), "csv")


@bp.get("/producer/products.xlsx")
@token_required
def producer_export_xlsx():
    return spreadsheet_download(_producer(), "xlsx")


def _import_counts(result: spreadsheet.ImportResult) -> dict:
    return {
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "errors": [e.to_dict(gettext) for e in result.errors],
    }


@bp.post("/producer/products/import")
@token_required
def producer_import_csv():
    producer = _producer()
    dry_run = bool(query_bool("dry_run"))
    data = _uploaded_bytes()
    try:
        result = spreadsheet.import_catalog(producer=producer, data=data, now=utcnow(), dry_run=dry_run)
    except spreadsheet.UnreadableSpreadsheet as error:
        if not dry_run:
            raise
        # A dry run always answers 200: a file that cannot be read is an error of its row 1.
        return {"created": 0, "updated": 0, "unchanged": 0,
                "errors": [{"row": 1, "column": None, "error": domain_message(error)}]}
    if dry_run or not result.ok:
        db.session.rollback()
        if not result.ok and not dry_run:
            raise InvalidRows(result)
        return _import_counts(result)
    db.session.commit()
    return _import_counts(result)
