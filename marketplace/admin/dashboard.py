"""The coordinator's dashboard of a sub-region (`/koordination/<slug>`): places waiting for
approval, coverage of the villages, orders and turnover per day and week, tours, and demand not
served; every figure as a chart and a table, and as CSV. Reads come from `reports/dashboard.py`."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import role_required
from marketplace.catalog.onboarding import list_applications
from marketplace.core.clock import local_today, utcnow
from marketplace.core.csv_export import spreadsheet_csv
from marketplace.core.errors import DomainError
from marketplace.delivery.views import _coordinated  # one rule: 404 outside the scope
from marketplace.extensions import db
from marketplace.pickup.models import PickupPlace
from marketplace.pickup.review import review_pickup_place
from marketplace.regions.models import SubRegion
from marketplace.reports import dashboard as figures
from marketplace.reports.charts import bar_chart
from marketplace.reports.coverage_map import render_coverage
from marketplace.web.errors import domain_message

bp = Blueprint("dashboard", __name__, url_prefix="/koordination")
WEEKS_SHOWN = 8
MAX_WEEKS = 52
# Search terms without result: the most frequent ones per week in the table, overall in the chart.
TERMS_PER_WEEK, TERMS_IN_CHART = 5, 10


def _weeks() -> int:
    text = request.args.get("wochen", "")
    return min(int(text), MAX_WEEKS) if text.isdigit() and int(text) > 0 else WEEKS_SHOWN


def _range(weeks: int) -> tuple[date, date]:
    """`weeks` ISO weeks up to the end of next week (the coming delivery days' orders included)."""
    today = local_today(utcnow())
    end = today + timedelta(days=13 - today.weekday())
    return end - timedelta(days=7 * weeks - 1), end


def _euros(cents: float) -> str:
    return f"{cents / 100:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def _percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction * 100:+.0f} %"


@bp.get("/<slug>")
@role_required(Role.COORDINATOR)
def overview(slug: str):
    sub_region = _coordinated(slug)
    weeks = _weeks()
    start, end = _range(weeks)
    coverage = figures.coverage(sub_region.id)
    days = figures.orders_per_day(sub_region.id, start, end)
    per_week = figures.orders_per_week(sub_region.id, start, end)
    tours = figures.tours_per_day(sub_region.id, start, end)
    uncovered = [row for row in coverage if not row.covered]
    unanswered = figures.unanswered_searches_per_week(sub_region.id, start, end, top=TERMS_PER_WEEK)
    charts = {
        "coverage": render_coverage(
            coverage, title=gettext("Abdeckung: %(name)s", name=sub_region.name),
            description=gettext("%(n)s von %(total)s Orten haben einen Abholort im Umkreis von %(km)s km.",
                                n=len(coverage) - len(uncovered), total=len(coverage), km=figures.REACH_KM)),
        "weeks": bar_chart(
            [(week.monday.strftime("%d.%m."), week.turnover_cents) for week in per_week],
            title=gettext("Umsatz je Woche"), description=gettext("Umsatz je Kalenderwoche, ab Montag."),
            label=_euros),
        "days": bar_chart(
            [(d.day.strftime("%d.%m."), d.orders) for d in days], title=gettext("Bestellungen je Liefertag"),
            description=gettext("Anzahl der Bestellungen je Liefertag."), label=lambda v: f"{v:.0f}"),
        "tours": bar_chart(
            [(t.day.strftime("%d.%m."), (t.fill_rate or 0) * 100) for t in tours],
            title=gettext("Auslastung der Touren"),
            description=gettext("Transportierte Kisten im Verhältnis zum Platz in den Fahrzeugen, je Liefertag."),
            label=lambda v: f"{v:.0f} %"),
        "searches": bar_chart(
            figures.most_unanswered_terms(sub_region.id, start, end, top=TERMS_IN_CHART),
            title=gettext("Suchen ohne Treffer"),
            description=gettext("Die häufigsten Suchbegriffe im Zeitraum, zu denen es kein Produkt gab."),
            label=lambda v: f"{v:.0f}"),
    }
    return render_template(
        "dashboard/overview.html", sub_region=sub_region, weeks=weeks, start=start, end=end,
        waiting=figures.list_places_waiting(sub_region.id), coverage=coverage,
        applicants=list_applications(sub_region.id, pending=True), uncovered=uncovered,
        days=days, per_week=per_week, tours=tours, charts=charts, euros=_euros, percent=_percent,
        unreached=figures.residents_out_of_reach(sub_region), sold_out=figures.sold_out_asked_for(sub_region.id),
        reach_km=figures.REACH_KM, unanswered=unanswered,
    )


def _csv_rows(sub_region: SubRegion, report: str, start: date, end: date) -> tuple[list[str], list[list]]:
    if report == "abdeckung":
        return (["village", "nearest_pickup_place", "km", "covered"],
                [[r.place.name, r.nearest.name if r.nearest else "", r.km if r.km is not None else "",
                  "yes" if r.covered else "no"] for r in figures.coverage(sub_region.id)])
    if report == "liefertage":
        return (["delivery_date", "orders", "turnover_cents", "residents"],
                [[d.day.isoformat(), d.orders, d.turnover_cents, d.residents]
                 for d in figures.orders_per_day(sub_region.id, start, end)])
    if report == "wochen":
        return (["week_from", "orders", "turnover_cents", "residents", "orders_change", "turnover_change"],
                [[w.monday.isoformat(), w.orders, w.turnover_cents, w.residents,
                  "" if w.orders_change is None else w.orders_change,
                  "" if w.turnover_change is None else w.turnover_change]
                 for w in figures.orders_per_week(sub_region.id, start, end)])
    if report == "touren":
        return (["delivery_date", "tours", "km", "orders", "km_per_order", "fill_rate"],
                [[t.day.isoformat(), t.tours, t.km, t.orders, "" if t.km_per_order is None else t.km_per_order,
                  "" if t.fill_rate is None else t.fill_rate]
                 for t in figures.tours_per_day(sub_region.id, start, end)])
    if report == "ausser-reichweite":
        return (["resident_id", "place", "km_to_nearest_pickup_place"],
                [[u.resident.id, u.resident.home_place.name if u.resident.home_place else "",
                  "" if u.km is None else u.km] for u in figures.residents_out_of_reach(sub_region)])
    if report == "ausverkauft":
        return (["product_id", "product", "producer", "baskets"],
                [[s.product.id, s.product.name, s.product.producer.name, s.baskets]
                 for s in figures.sold_out_asked_for(sub_region.id)])
    if report == "suchen-ohne-treffer":
        return (["week_from", "term", "searches"],
                [[row.monday.isoformat(), row.term, row.searches]
                 for row in figures.unanswered_searches_per_week(sub_region.id, start, end)])
    abort(404)


@bp.get("/<slug>/<report>.csv")
@role_required(Role.COORDINATOR)
def download(slug: str, report: str):
    sub_region = _coordinated(slug)
    start, end = _range(_weeks())
    header, rows = _csv_rows(sub_region, report, start, end)
    data = spreadsheet_csv([header, *rows])
    return data, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{sub_region.slug}-{report}.csv"',
    }


@bp.post("/<slug>/orte/<int:place_id>/pruefung")
@role_required(Role.COORDINATOR)
def review_place(slug: str, place_id: int):
    sub_region = _coordinated(slug)
    place = db.session.get(PickupPlace, place_id)
    if place is None or place.sub_region_id != sub_region.id:
        abort(404)
    decision = request.form.get("decision")
    if decision not in ("approve", "decline"):
        flash(gettext("Bitte wählen Sie: freigeben oder ablehnen."), "error")
        return redirect(url_for("dashboard.overview", slug=slug))
    try:
        review_pickup_place(place, approve=decision == "approve", reason=request.form.get("reason", ""),
                            now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("dashboard.overview", slug=slug))
    db.session.commit()
    flash(gettext("%(place)s ist freigegeben.", place=place.name) if decision == "approve"
          else gettext("%(place)s ist abgelehnt.", place=place.name), "success")
    return redirect(url_for("dashboard.overview", slug=slug))
