"""The producer's catalogue in the portal: list, create, edit, pause, archive; spreadsheets."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_act_for_producer, first_scoped_or_403, role_required
from marketplace.catalog import photos, queries, services, spreadsheet
from marketplace.catalog.forms import ConfirmImportForm, ImportForm, ProductForm
from marketplace.catalog.models import Producer, Product
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.web.errors import domain_message

bp = Blueprint("producer_products", __name__, url_prefix="/me/producer/products")

# Service field names that the form shows under another name.
_FORM_FIELD = {"price_cents": "price", "weekday_mask": "weekdays"}


def own_producer() -> Producer:
    """The producer the signed-in staff member works for (the first, should there be several)."""
    return first_scoped_or_403(Producer, Role.PRODUCER)


def own_product(product_id: int) -> Product:
    """One of the signed-in producer's products; anyone else's is as good as missing (404)."""
    product = db.session.get(Product, product_id)
    if product is None or not can_act_for_producer(current_user, product.producer_id):
        abort(404)
    return product


def _form(producer: Producer, **kw) -> ProductForm:
    form = ProductForm(**kw)
    form.fill_choices(queries.list_categories(), producer.vat_rates)
    return form


def _fill(form: ProductForm, values: services.ProductValues) -> None:
    for name in ("name", "article_number", "description", "category_id", "unit", "vat_rate",
                 "unit_weight_g", "unit_volume_ml", "temperature", "stock", "min_quantity",
                 "quantity_step", "season_start", "season_end", "is_organic", "is_active",
                 "weight_tolerance_pct"):
        getattr(form, name).data = getattr(values, name)
    form.price.data = services.format_price_text(values.price_cents)
    form.crate_units.data = services.format_decimal_text(values.crate_units)
    form.weekdays.data = [day for day in range(1, 8) if values.weekday_mask & (1 << (day - 1))]


def _values(form: ProductForm) -> services.ProductValues | None:
    """The form's text as values; None (with the errors on the form) where text is no value."""
    try:
        price = services.parse_price_text(form.price.data)
    except ValueError as error:
        form.price.errors.append(gettext(str(error)))
        price = None
    try:
        crate = services.parse_decimal_text(form.crate_units.data)
    except ValueError as error:
        form.crate_units.errors.append(gettext(str(error)))
        crate = None
    if price is None or crate is None:
        return None
    return services.ProductValues(
        name=form.name.data or "", category_id=form.category_id.data, unit=form.unit.data,
        price_cents=price, vat_rate=form.vat_rate.data, temperature=form.temperature.data,
        article_number=form.article_number.data or None, description=form.description.data or "",
        crate_units=crate, stock=form.stock.data, is_active=form.is_active.data,
        is_organic=form.is_organic.data, unit_weight_g=form.unit_weight_g.data,
        unit_volume_ml=form.unit_volume_ml.data, min_quantity=form.min_quantity.data,
        quantity_step=form.quantity_step.data,
        weekday_mask=sum(1 << (day - 1) for day in form.weekdays.data or []),
        season_start=form.season_start.data, season_end=form.season_end.data,
        weight_tolerance_pct=form.weight_tolerance_pct.data,
    )


def _show(form: ProductForm, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        target = getattr(form, _FORM_FIELD.get(field, field), None) or form.name
        target.errors = [*target.errors, gettext(message)]


def allow_uploads() -> None:
    """This request may carry a photo or a spreadsheet: up to 10 MB, not the usual 2 MB."""
    request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]


def _attach_photo(form: ProductForm, product: Product) -> str | None:
    upload = form.photo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    return services.set_product_photo(
        product=product, data=upload.read(), upload_dir=current_app.config["UPLOAD_DIR"], now=utcnow(),
    )


def _save(form: ProductForm, act) -> bool:
    """Run `act(values)` (and attach a photo sent along) for a valid form and commit; False,
    with the errors on the form and nothing written, otherwise."""
    if not form.validate_on_submit():
        return False
    values = _values(form)
    if values is None:
        return False
    try:
        replaced = _attach_photo(form, act(values))
    except services.InvalidProduct as error:
        db.session.rollback()
        _show(form, error.errors)
        return False
    except (photos.InvalidPhoto, photos.PhotoTooLarge) as error:
        db.session.rollback()
        form.photo.errors = [domain_message(error)]
        return False
    db.session.commit()
    photos.delete_photo(replaced, current_app.config["UPLOAD_DIR"])
    return True


def _page(form: ProductForm, product: Product | None):
    status = 422 if request.method == "POST" else 200
    return render_template("producer_products/form.html", form=form, product=product), status


@bp.get("")
@role_required(Role.PRODUCER)
def index():
    producer = own_producer()
    archived = request.args.get("archiviert") == "1"
    products = queries.list_products_of_producer(producer.id, archived=archived)
    return render_template(
        "producer_products/index.html", producer=producer, products=products, archived=archived,
    )


@bp.route("/neu", methods=["GET", "POST"])
@role_required(Role.PRODUCER)
def new():
    allow_uploads()
    producer = own_producer()
    form = _form(producer)
    if request.method == "GET":
        form.weekdays.data = list(range(1, 8))
    if _save(form, lambda values: services.create_product(producer=producer, values=values, now=utcnow())):
        flash(gettext("Das Produkt ist angelegt."), "success")
        return redirect(url_for(".index"))
    return _page(form, None)


@bp.route("/<int:product_id>", methods=["GET", "POST"])
@role_required(Role.PRODUCER)
def edit(product_id: int):
    allow_uploads()
    product = own_product(product_id)
    if product.is_archived:
        abort(404)
    form = _form(product.producer)
    if request.method == "GET":
        _fill(form, services.values_of(product))
    if _save(form, lambda values: services.update_product(product=product, values=values, now=utcnow())):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".index"))
    return _page(form, product)


@bp.post("/<int:product_id>/pausieren")
@role_required(Role.PRODUCER)
def pause(product_id: int):
    product = own_product(product_id)
    active = request.form.get("aktiv") == "1"
    services.set_product_active(product=product, active=active, now=utcnow())
    db.session.commit()
    flash(gettext("Das Produkt ist wieder im Shop.") if active else gettext("Das Produkt ist pausiert."), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:product_id>/archivieren")
@role_required(Role.PRODUCER)
def archive(product_id: int):
    product = own_product(product_id)
    services.archive_product(product=product, now=utcnow())
    db.session.commit()
    flash(gettext("Das Produkt ist archiviert."), "success")
    return redirect(url_for(".index"))


# --- Spreadsheets: download, and an upload that is checked before anything is written -----

def _pending_file(producer: Producer, token: str) -> Path:
    # The checked file waits here for the confirmation; the producer's id in the name keeps
    # one producer from confirming another's file.
    return Path(current_app.config["UPLOAD_DIR"]) / "imports" / f"{producer.id}-{token}.csv"


def spreadsheet_download(producer: Producer, kind: str) -> Response:
    """The producer's current products as a CSV or .xlsx download (the portal and the API)."""
    products = queries.list_products_of_producer(producer.id)
    if kind == "xlsx":
        data, mimetype = spreadsheet.export_xlsx(products), spreadsheet.XLSX_MIMETYPE
    else:
        data, mimetype = spreadsheet.export_csv(products), "text/csv"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="katalog-{producer.slug}.{kind}"',
    })


@bp.get("/export.<any(csv, xlsx):kind>")
@role_required(Role.PRODUCER)
def export(kind: str):
    return spreadsheet_download(own_producer(), kind)


def _preview(form, result=None, token=None, status=200):
    return render_template(
        "producer_products/import.html", form=form, result=result, token=token,
        confirm=ConfirmImportForm(datei_id=token) if token else None,
    ), status


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.PRODUCER)
def import_csv():
    allow_uploads()
    producer = own_producer()
    form = ImportForm()
    if not form.validate_on_submit():
        return _preview(form, status=422 if request.method == "POST" else 200)
    data = form.datei.data.read()
    try:
        result = spreadsheet.import_catalog(producer=producer, data=data, now=utcnow(), dry_run=True)
    except spreadsheet.UnreadableSpreadsheet as error:
        form.datei.errors = [domain_message(error)]
        return _preview(form, status=422)
    finally:
        db.session.rollback()
    token = None
    if result.ok:
        token = secrets.token_hex(16)
        path = _pending_file(producer, token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return _preview(form, result, token, status=200 if result.ok else 422)


@bp.post("/import/bestaetigen")
@role_required(Role.PRODUCER)
def confirm_import():
    producer = own_producer()
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        abort(404)
    path = _pending_file(producer, confirm.datei_id.data)
    if not path.is_file():
        abort(404)
    result = spreadsheet.import_catalog(producer=producer, data=path.read_bytes(), now=utcnow())
    if not result.ok:  # the catalogue changed since the check
        db.session.rollback()
        return _preview(ImportForm(formdata=None), result, status=422)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(gettext("Import abgeschlossen: %(created)s neu, %(updated)s geändert, %(unchanged)s unverändert.",
                  created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for(".index"))
