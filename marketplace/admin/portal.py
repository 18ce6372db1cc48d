"""Each role's start page: what a resident, producer, operator, staff, driver, coordinator or admin needs first."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import first_scoped_or_403, role_required
from marketplace.catalog import queries as catalog_queries
from marketplace.catalog.models import Producer
from marketplace.core.clock import local_today, utcnow
from marketplace.extensions import db
from marketplace.pickup.models import ParcelStation, PickupPlace
from marketplace.regions import queries as region_queries
from marketplace.regions.geo import distance_km
from marketplace.regions.models import Region, SubRegion
from marketplace.reports import queries as reports

bp = Blueprint("portal", __name__, url_prefix="/me")


@bp.get("/resident")
@role_required(Role.RESIDENT)
def resident():
    sub_region = current_user.home_sub_region
    now = utcnow()
    days = reports.list_next_delivery_days(sub_region, now) if sub_region else []
    places = reports.list_pickup_places(sub_region.id) if sub_region else []
    producers = catalog_queries.list_approved_producers()
    home = (current_user.home_lat, current_user.home_lon) if current_user.home_lat else None
    if home:
        producers.sort(key=lambda p: distance_km(home, (p.place.lat, p.place.lon)))
    distances = {
        p.id: distance_km(home, (p.place.lat, p.place.lon)) for p in producers
    } if home else {}
    place_distances = {p.id: distance_km(home, (p.lat, p.lon)) for p in places} if home else {}
    if home:
        places.sort(key=lambda p: place_distances[p.id])
    product_counts = catalog_queries.count_active_products_by_producer()
    return render_template(
        "portal/resident.html", sub_region=sub_region, days=days, places=places,
        producers=producers[:8], distances=distances, place_distances=place_distances,
        product_counts=product_counts,
    )


@bp.get("/producer")
@role_required(Role.PRODUCER)
def producer():
    producer = first_scoped_or_403(Producer, Role.PRODUCER)
    products = catalog_queries.list_products_of_producer(producer.id)
    stock_states = reports.count_products_by_stock_state(producer.id)
    days = reports.list_producer_lines_by_day(producer.id, local_today(utcnow()))
    return render_template(
        "portal/producer.html", producer=producer, products=products,
        stock_states=stock_states, days=days,
    )


@bp.get("/operator")
@role_required(Role.OPERATOR)
def operator():
    stations = [
        s for s in (db.session.get(PickupPlace, i) for i in current_user.scopes(Role.OPERATOR))
        if isinstance(s, ParcelStation)
    ]
    if not stations:
        abort(403)
    counts = {s.id: reports.count_compartments(s.id) for s in stations}
    return render_template("portal/operator.html", stations=stations, counts=counts)


@bp.get("/sales-point")
@role_required(Role.SALES_POINT_STAFF)
def sales_point():
    place = first_scoped_or_403(PickupPlace, Role.SALES_POINT_STAFF)
    days = reports.list_next_delivery_days(place.sub_region, utcnow())
    return render_template("portal/sales_point.html", place=place, days=days)


@bp.get("/driver")
@role_required(Role.DRIVER)
def driver():
    sub_region = first_scoped_or_403(SubRegion, Role.DRIVER)
    days = reports.list_next_delivery_days(sub_region, utcnow())
    places = reports.list_pickup_places(sub_region.id)
    return render_template(
        "portal/driver.html", sub_region=sub_region, days=days, places=places,
        schedule=sub_region.schedule,
    )


@bp.get("/coordinator")
@role_required(Role.COORDINATOR)
def coordinator():
    sub_regions = [db.session.get(SubRegion, i) for i in current_user.scopes(Role.COORDINATOR)]
    figures = [reports.get_sub_region_figures(s) for s in sub_regions if s]
    now = utcnow()
    days = {f.sub_region.id: reports.list_next_delivery_days(f.sub_region, now) for f in figures}
    return render_template("portal/coordinator.html", figures=figures, days=days)


@bp.get("/admin")
@role_required(Role.ADMIN)
def admin():
    region = first_scoped_or_403(Region, Role.ADMIN)
    sub_regions = region_queries.list_sub_regions_with_places(region)
    figures = [reports.get_sub_region_figures(s) for s in sub_regions]
    coordinators = reports.list_coordinators(region.id)
    return render_template(
        "portal/admin.html", region=region, figures=figures, coordinators=coordinators
    )
