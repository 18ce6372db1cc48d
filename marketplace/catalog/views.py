"""Shop pages: the catalogue near home, a product, a producer."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from marketplace.catalog import photos, queries, unanswered
from marketplace.catalog.forms import CatalogFilterForm
from marketplace.catalog.models import Producer, Temperature
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.regions import queries as region_queries
from marketplace.regions.geo import distance_km
from marketplace.regions.models import SubRegion
from marketplace.reports import queries as reports
from marketplace.web.page_cache import cached_for_anonymous, keep_out_of_page_cache

bp = Blueprint("catalog", __name__)
log = logging.getLogger(__name__)

# How many delivery days the product page looks ahead for one sub-region.
PRODUCT_DAYS = 4
# A photo's file never changes (a new photo gets a new random name): cached for a year.
PHOTO_CACHE_CONTROL = "public, max-age=31536000, immutable"


def _home() -> tuple[float, float] | None:
    if current_user.is_authenticated and current_user.home_lat is not None:
        return (current_user.home_lat, current_user.home_lon)
    return None


def _filters_from(form: CatalogFilterForm, places) -> tuple[queries.CatalogFilter, int]:
    near = _home()
    if form.ort.data:
        place = next((p for p in places if str(p.id) == form.ort.data), None)
        near = (place.lat, place.lon) if place else near
    filters = queries.CatalogFilter(
        q=(form.q.data or "").strip() or None,
        category_slug=form.kategorie.data or None,
        producer_id=int(form.erzeuger.data) if form.erzeuger.data else None,
        temperature=Temperature(form.lagerung.data) if form.lagerung.data else None,
        organic=bool(form.bio.data) or None,
        near=near,
    )
    return filters, form.seite.data or 1


@bp.get("/produkte")
@cached_for_anonymous
def index():
    form = CatalogFilterForm(request.args)
    categories = queries.list_categories()
    producers = queries.list_approved_producers()
    places = region_queries.list_places()
    form.fill_choices(categories, producers, places, has_home=_home() is not None)
    if not form.validate():
        # A bad parameter (page "abc", an unknown category) shows the form error, not a 500.
        for field in form:
            if field.errors and field.name != "q":
                field.data = None
        form.q.data = (form.q.data or "")[:100]
    filters, page = _filters_from(form, places)
    per_page = current_app.config["CATALOG_PAGE_SIZE"]
    result = queries.list_catalog(filters, page=page, per_page=per_page)
    args = {k: v for k, v in request.args.items() if k != "seite" and v}
    page_html = render_template(
        "catalog/index.html", form=form, result=result, filters=filters, args=args,
        stock_state=queries.stock_state,
    )
    home = current_user.home_place_id if current_user.is_authenticated else None
    record_if_unanswered(filters, result, home or (int(form.ort.data) if form.ort.data else None))
    return page_html


def record_if_unanswered(filters: queries.CatalogFilter, result: queries.CatalogPage, place_id: int | None) -> None:
    """A name search that found no product counts as demand not served: one INSERT, and only
    then (the resident's home, else the chosen place, gives the sub-region). The HTML catalogue
    and the API call it after their answer is ready.

    Such a page stays out of the page cache, so the next visitor's same search is counted too.
    The page's reading transaction ends first: on SQLite a page view reads in a deferred
    transaction, and the INSERT then begins one of its own instead of upgrading a snapshot that
    another writer may have overtaken. A failure to record costs the figure, not the page."""
    if not (filters.q or "").strip() or result.total:
        return
    keep_out_of_page_cache()
    try:
        sub_region_id = unanswered.get_sub_region_of_place(place_id)
        db.session.commit()
        if unanswered.record_unanswered_search(text=filters.q, sub_region_id=sub_region_id, now=utcnow()):
            db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("a search without result was not recorded")


@bp.get("/produkte/<int:product_id>")
@cached_for_anonymous
def product(product_id: int):
    product = queries.get_shop_product(product_id)
    if product is None:
        abort(404)
    now = utcnow()
    home = _home()
    sub_region = current_user.home_sub_region if current_user.is_authenticated else None
    if sub_region is not None:
        areas = [sub_region]
    else:
        areas = list(db.session.scalars(
            select(SubRegion).options(selectinload(SubRegion.schedule)).order_by(SubRegion.name)
        ))
    days = {
        area.id: [
            d for d in reports.list_next_delivery_days(area, now, count=PRODUCT_DAYS * 2)
            if product.is_available_on(d.date)
        ][:PRODUCT_DAYS]
        for area in areas
    }
    place = product.producer.place
    km = distance_km(home, (place.lat, place.lon)) if home else None
    return render_template(
        "catalog/product.html", product=product, state=queries.stock_state(product),
        areas=areas, days=days, distance=km, own_area=sub_region is not None,
    )


@bp.get("/erzeuger/<slug>")
@cached_for_anonymous
def producer(slug: str):
    producer = db.session.scalars(
        select(Producer).where(Producer.slug == slug, Producer.is_approved.is_(True))
    ).first()
    if producer is None:
        abort(404)
    products = [p for p in queries.list_products_of_producer(producer.id) if p.is_active]
    home = _home()
    km = distance_km(home, (producer.place.lat, producer.place.lon)) if home else None
    return render_template(
        "catalog/producer.html", producer=producer, products=products, distance=km,
        stock_state=queries.stock_state,
    )


@bp.get("/fotos/<name>")
def photo(name: str):
    if not photos.is_photo_file_name(name):
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_DIR"], name, mimetype="image/webp")
    response.headers["Cache-Control"] = PHOTO_CACHE_CONTROL
    return response


@bp.app_template_global()
def photo_srcset(key: str) -> str:
    """The `srcset` of a stored photo: one URL per width."""
    return ", ".join(
        f"{url_for('catalog.photo', name=photos.file_name(key, w))} {w}w" for w in photos.WIDTHS
    )


@bp.app_template_global()
def photo_url(key: str, width: int = photos.WIDTHS[1]) -> str:
    return url_for("catalog.photo", name=photos.file_name(key, width))
