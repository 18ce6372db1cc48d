"""Delivery screens: the coordinator's settings and day view, tour sheets, the driver's phone view."""
from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from marketplace.accounts.models import Role, User
from marketplace.accounts.permissions import can_coordinate, can_drive, can_see_tour, role_required
from marketplace.accounts.queries import list_sub_region_drivers
from marketplace.core.clock import local_today, utcnow
from marketplace.delivery import queries, services
from marketplace.delivery.driver_app.sheets import driver_map_svg, geo_uri
from marketplace.delivery.forms import (
    AssignForm,
    DoorWindowForm,
    EmptyForm,
    EndTourForm,
    FailedStopForm,
    PlanForm,
    ProblemForm,
    ScheduleForm,
    VehicleForm,
)
from marketplace.delivery.models import PlanRun, StopProblem, Tour, TourStop, Vehicle
from marketplace.delivery.svg_map import colour_of, render_map
from marketplace.extensions import db
from marketplace.jobs import planning as planning_job
from marketplace.orders.models import Order
from marketplace.regions.models import DoorWindow, Municipality, Place, SubRegion
from marketplace.regions.schedule import list_sub_region_delivery_days

bp = Blueprint("delivery", __name__, url_prefix="/delivery")
REASON_LABELS = {
    "no_coordinates": _l("Ort ohne Koordinaten"),
    "no_vehicle": _l("Kein Fahrzeug in der Teilregion"),
    "capacity_exceeded": _l("Passt in kein Fahrzeug"),
    "time_window_unreachable": _l("Kein Fahrzeug erreicht das Zeitfenster"),
    "not_routed": _l("Auf keiner Tour Platz gefunden"),
    "no_hub": _l("Teilregion ohne Lager"),
    "closed_that_day": _l("An diesem Wochentag geschlossen"),
    "goods_too_late": _l("Die Ware ist zu spät am Lager für das Zeitfenster"),
    "goods_not_collected": _l("Die Ware eines Erzeugers kann nicht abgeholt werden"),
}
PROBLEM_LABELS = {"closed": _l("Geschlossen"), "no_room": _l("Kein Platz"), "damaged": _l("Ware beschädigt")}
KIND_LABELS = {"distribution": _l("Verteiltour"), "collection": _l("Sammeltour")}
STATUS_LABELS = {"planned": _l("geplant"), "published": _l("veröffentlicht"), "queued": _l("wartet"),
                 "running": _l("läuft"), "done": _l("fertig"), "failed": _l("fehlgeschlagen")}


@bp.context_processor
def _labels():
    def label(table, key):
        key = getattr(key, "value", key)
        return str(table.get(key, key))

    return {
        "reason_label": lambda k: label(REASON_LABELS, k),
        "problem_label": lambda k: label(PROBLEM_LABELS, k),
        "tour_kind_label": lambda k: label(KIND_LABELS, k),
        "status_label": lambda k: label(STATUS_LABELS, k),
    }


def _coordinated(slug: str) -> SubRegion:
    """The sub-region the signed-in coordinator coordinates; another sub-region is as good as
    missing (404), like a slug that names none. The views' `role_required` gives the 403 to a
    user who is no coordinator at all."""
    sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
    if sub_region is None or not can_coordinate(current_user, sub_region.id):
        abort(404)
    return sub_region


def _driven_stop(stop_id: int) -> TourStop:
    stop = db.get_or_404(TourStop, stop_id)
    if not can_drive(current_user, stop.tour):
        abort(404)
    return stop


def _visible_tour(tour_id: int) -> Tour:
    """The sub-region's coordinators and the tour's driver see it; anyone else gets a 404."""
    tour = db.get_or_404(Tour, tour_id)
    if not can_see_tour(current_user, tour):
        abort(404)
    return tour


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(404)


def _upcoming_days(sub_region: SubRegion, count: int = 6) -> list[date]:
    """The next delivery days from today, after an earlier day whose tours still have stops to do."""
    now = utcnow()
    days = list_sub_region_delivery_days(sub_region, now=now, count=count, horizon_days=60,
                                         include_closed=True)
    unfinished = queries.get_unfinished_day(sub_region.id, before=local_today(now))
    return ([unfinished] if unfinished else []) + [d.date for d in days][:count - bool(unfinished)]


@bp.get("/")
@login_required
def index():
    if current_user.has_role(Role.COORDINATOR):
        sub_regions = [db.session.get(SubRegion, i) for i in current_user.scopes(Role.COORDINATOR)]
        return render_template("delivery/index.html", sub_regions=[s for s in sub_regions if s])
    if current_user.has_role(Role.DRIVER):
        return redirect(url_for("delivery.driver"))
    abort(403)


@bp.get("/<slug>")
@role_required(Role.COORDINATOR)
def sub_region_home(slug: str):
    sub_region = _coordinated(slug)
    days = _upcoming_days(sub_region, 1)
    if not days:
        flash(_("Bitte zuerst Liefertage und Lager einstellen."), "info")
        return redirect(url_for("delivery.settings", slug=slug))
    return redirect(url_for("delivery.day", slug=slug, day=days[0].isoformat()))


@bp.get("/<slug>/days/<day>")
@role_required(Role.COORDINATOR)
def day(slug: str, day: str):
    sub_region, the_day = _coordinated(slug), _parse_day(day)
    config = current_app.config
    tours = queries.list_tours(the_day, sub_region.id)
    run = queries.get_latest_run(the_day, sub_region.id)
    finished = queries.get_latest_finished_run(the_day, sub_region.id)
    unserved = queries.list_unserved(finished, sub_region.id)
    hub_label = _("Lager")
    svg = render_map(
        queries.build_map_tours(tours, hub_label), hub_label=hub_label,
        title=_("Touren in %(sub)s am %(day)s", sub=sub_region.name, day=the_day.strftime("%d.%m.%Y")),
        description=_("%(n)s Touren, Halte nummeriert in Fahrtreihenfolge; das Quadrat ist das Lager.",
                      n=len(tours)),
        extra=queries.list_unserved_points(unserved),
        tile_url=config.get("MAP_TILE_URL"), attribution=config.get("MAP_TILE_ATTRIBUTION", ""),
    )
    days = _upcoming_days(sub_region)
    counts = dict(db.session.execute(
        select(Order.delivery_date, func.count()).where(
            Order.sub_region_id == sub_region.id, Order.delivery_date.in_(days + [the_day]),
            Order.status.in_(services.PLANNABLE)).group_by(Order.delivery_date)).all())
    impact = queries.get_impact(tours, town_names=config.get("DELIVERY_SUPERMARKET_TOWNS"),
                                co2_g_per_km=float(config.get("DELIVERY_CO2_G_PER_KM", 170)))
    drivers = list_sub_region_drivers(sub_region.id)
    vehicles = [v for v in queries.list_vehicles(sub_region.id) if v.is_active]
    assign_forms = {t.id: AssignForm(formdata=None, prefix=f"t{t.id}", driver_id=t.driver_id or 0,
                                     vehicle_id=t.vehicle_id).fill(drivers, vehicles) for t in tours}
    return render_template(
        "delivery/day.html", sub_region=sub_region, day=the_day, tours=tours, run=run, finished=finished,
        assign_forms=assign_forms,
        unserved=unserved, svg=svg, days=days, counts=counts, impact=impact, colour_of=colour_of,
        problems=queries.list_problem_stops(the_day, sub_region.id), plan_form=PlanForm(), form=EmptyForm(),
        co2_g_per_km=config.get("DELIVERY_CO2_G_PER_KM", 170),
        progress={t.id: queries.get_tour_progress(t) for t in tours if t.is_published},
    )


@bp.post("/<slug>/days/<day>/plan")
@role_required(Role.COORDINATOR)
def plan(slug: str, day: str):
    sub_region, the_day = _coordinated(slug), _parse_day(day)
    form = PlanForm()
    if not form.validate_on_submit():
        flash(_("Bitte eine Rechenzeit wählen."), "error")
        return redirect(url_for("delivery.day", slug=slug, day=day))
    seconds = min(float(form.seconds.data), float(current_app.config.get("DELIVERY_MAX_PLAN_SECONDS", 60)))
    run = services.create_plan_run(day=the_day, sub_region=sub_region, seconds=seconds, now=utcnow(),
                                   requested_by=current_user)
    db.session.commit()
    planning_job.enqueue_plan_run(run)
    flash(_("Die Planung läuft. Sie können inzwischen weiterarbeiten."), "info")
    return redirect(url_for("delivery.day", slug=slug, day=day))


@bp.get("/runs/<int:run_id>")
@role_required(Role.COORDINATOR)
def run_status(run_id: int):
    run = db.get_or_404(PlanRun, run_id)
    if run.sub_region_id is None or not can_coordinate(current_user, run.sub_region_id):
        abort(404)
    return jsonify({"id": run.id, "status": run.status.value, "progress": run.progress,
                    "message": run.message, "finished": run.is_finished})


@bp.post("/<slug>/days/<day>/publish")
@role_required(Role.COORDINATOR)
def publish(slug: str, day: str):
    sub_region, the_day = _coordinated(slug), _parse_day(day)
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = services.publish_tours(day=the_day, sub_region=sub_region, now=utcnow())
    db.session.commit()
    flash(_("%(n)s Touren veröffentlicht. Die Fahrer sehen sie jetzt.", n=count), "success")
    return redirect(url_for("delivery.day", slug=slug, day=day))


@bp.post("/<slug>/tours/<int:tour_id>/assign")
@role_required(Role.COORDINATOR)
def assign(slug: str, tour_id: int):
    sub_region = _coordinated(slug)
    tour = db.get_or_404(Tour, tour_id)
    if tour.sub_region_id != sub_region.id:
        abort(404)
    form = AssignForm(prefix=f"t{tour.id}").fill(list_sub_region_drivers(sub_region.id),
                                                 [v for v in queries.list_vehicles(sub_region.id) if v.is_active])
    back = redirect(url_for("delivery.day", slug=slug, day=tour.delivery_date.isoformat()))
    if not form.validate_on_submit():
        flash(_("Bitte Fahrer und Fahrzeug aus der Liste wählen."), "error")
        return back
    driver = db.session.get(User, form.driver_id.data) if form.driver_id.data else None
    services.assign_tour(tour, driver=driver, vehicle=db.session.get(Vehicle, form.vehicle_id.data))
    db.session.commit()
    flash(_("Fahrer und Fahrzeug der Tour sind gespeichert."), "success")
    return back


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def settings(slug: str):
    sub_region = _coordinated(slug)
    schedule = sub_region.schedule
    form = ScheduleForm(obj=schedule)
    places = db.session.scalars(select(Place).join(Municipality).where(
        Municipality.sub_region_id == sub_region.id).order_by(Place.name)).all()
    form.hub_place_id.choices = [SelectChoice(p.id, p.name) for p in places]
    form.dropoff_producer_ids.choices = [
        SelectChoice(p.id, f"{p.name} ({p.place.name})") for p in queries.list_region_producers(sub_region)]
    if schedule is not None and not form.is_submitted():
        form.weekdays.data = schedule.weekdays
        form.dropoff_producer_ids.data = queries.list_dropoff_producer_ids(sub_region.id)
    if form.validate_on_submit():
        services.update_schedule(
            sub_region, weekdays=form.weekdays.data or [], cutoff_days_before=form.cutoff_days_before.data,
            cutoff_time=form.cutoff_time.data, hub_place=db.session.get(Place, form.hub_place_id.data),
            service_seconds_per_stop=form.service_seconds_per_stop.data,
            service_seconds_per_crate=form.service_seconds_per_crate.data, dropoff_by=form.dropoff_by.data,
            dropoff_producer_ids=form.dropoff_producer_ids.data or [])
        db.session.commit()
        flash(_("Die Liefereinstellungen sind gespeichert."), "success")
        return redirect(url_for("delivery.settings", slug=slug))
    return render_template(
        "delivery/settings.html", sub_region=sub_region, form=form, window_form=DoorWindowForm(),
        vehicles=queries.list_vehicles(sub_region.id), windows=queries.list_door_windows(sub_region.id),
        button_form=EmptyForm(),
    ), (422 if form.errors else 200)


@bp.route("/<slug>/vehicles/new", methods=["GET", "POST"], defaults={"vehicle_id": None})
@bp.route("/<slug>/vehicles/<int:vehicle_id>", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def vehicle(slug: str, vehicle_id: int | None):
    sub_region = _coordinated(slug)
    existing = db.get_or_404(Vehicle, vehicle_id) if vehicle_id else None
    if existing is not None and existing.sub_region_id != sub_region.id:
        abort(404)
    form = VehicleForm(obj=existing)
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "name", "capacity_ambient", "capacity_chilled", "capacity_frozen", "shift_start", "shift_end",
            "cost_per_km_cents", "cost_per_hour_cents")}
        services.save_vehicle(sub_region, vehicle=existing, **values)
        db.session.commit()
        flash(_("Das Fahrzeug ist gespeichert."), "success")
        return redirect(url_for("delivery.settings", slug=slug))
    return render_template("delivery/vehicle.html", sub_region=sub_region, form=form,
                           vehicle=existing), (422 if form.errors else 200)


@bp.post("/<slug>/vehicles/<int:vehicle_id>/active")
@role_required(Role.COORDINATOR)
def vehicle_active(slug: str, vehicle_id: int):
    sub_region = _coordinated(slug)
    vehicle = db.get_or_404(Vehicle, vehicle_id)
    if vehicle.sub_region_id != sub_region.id or not EmptyForm().validate_on_submit():
        abort(404)
    services.set_vehicle_active(vehicle, not vehicle.is_active)
    db.session.commit()
    return redirect(url_for("delivery.settings", slug=slug))


@bp.post("/<slug>/door-windows")
@role_required(Role.COORDINATOR)
def add_window(slug: str):
    sub_region = _coordinated(slug)
    form = DoorWindowForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("delivery.settings", slug=slug))
    services.add_door_window(sub_region, starts=form.starts.data, ends=form.ends.data)
    db.session.commit()
    flash(_("Das Lieferfenster ist angelegt."), "success")
    return redirect(url_for("delivery.settings", slug=slug))


@bp.post("/<slug>/door-windows/<int:window_id>/delete")
@role_required(Role.COORDINATOR)
def remove_window(slug: str, window_id: int):
    sub_region = _coordinated(slug)
    window = db.get_or_404(DoorWindow, window_id)
    if window.sub_region_id != sub_region.id or not EmptyForm().validate_on_submit():
        abort(404)
    services.remove_door_window(window)
    db.session.commit()
    return redirect(url_for("delivery.settings", slug=slug))


@bp.get("/tours/<int:tour_id>/sheet")
@login_required
def sheet(tour_id: int):
    tour = _visible_tour(tour_id)
    return render_template("delivery/sheet.html", tour=tour)


@bp.get("/tours/<int:tour_id>/loading")
@login_required
def loading_list(tour_id: int):
    tour = _visible_tour(tour_id)
    stops, goods = queries.get_loading_list(tour)
    return render_template("delivery/loading.html", tour=tour, stops=stops, goods=goods)


@bp.get("/driver")
@role_required(Role.DRIVER)
def driver():
    tours = queries.list_driver_tours(current_user, local_today(utcnow()))
    if len(tours) == 1:
        return redirect(url_for("delivery.driver_tour", tour_id=tours[0].id))
    return render_template("delivery/driver_index.html", tours=tours)


@bp.get("/driver/tours/<int:tour_id>")
@role_required(Role.DRIVER)
def driver_tour(tour_id: int):
    tour = db.get_or_404(Tour, tour_id)
    if not can_drive(current_user, tour):
        abort(404)
    return render_template("delivery/driver_tour.html", tour=tour, current=queries.get_current_stop(tour),
                           form=EmptyForm(), problem_form=ProblemForm(), route_map=driver_map_svg(tour),
                           failed_form=FailedStopForm(), end_form=EndTourForm(formdata=None),
                           geo_uri=geo_uri)


def _driven_tour(tour_id: int) -> Tour:
    tour = db.get_or_404(Tour, tour_id)
    if not can_drive(current_user, tour) or not EmptyForm().validate_on_submit():
        abort(404)
    return tour


@bp.post("/driver/tours/<int:tour_id>/<any(start, end):step>")
@role_required(Role.DRIVER)
def tour_step(tour_id: int, step: str):
    """The driver starts the tour at the hub, or ends it back there."""
    tour = _driven_tour(tour_id)
    if step == "start":
        services.start_tour(tour, now=utcnow(), actor=current_user)
        message = _("Die Tour ist gestartet; die Kundinnen und Kunden wissen Bescheid.")
    else:
        form = EndTourForm()
        if not form.validate():
            flash(_("Bitte die Zahl der leeren Kisten prüfen."), "error")
            return redirect(url_for("delivery.driver_tour", tour_id=tour.id))
        services.end_tour(tour, now=utcnow(), empty_crates=form.empty_crates.data, note=form.note.data or "",
                          actor=current_user)
        message = _("Die Tour ist beendet.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("delivery.driver_tour", tour_id=tour.id))


@bp.post("/driver/stops/<int:stop_id>/delivered")
@role_required(Role.DRIVER)
def stop_delivered(stop_id: int):
    stop = _driven_stop(stop_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.confirm_stop_delivered(stop, now=utcnow(), actor=current_user)
    db.session.commit()
    flash(_("Halt %(n)s ist als zugestellt bestätigt.", n=stop.sequence), "success")
    return redirect(url_for("delivery.driver_tour", tour_id=stop.tour_id))


@bp.post("/driver/stops/<int:stop_id>/failed")
@role_required(Role.DRIVER)
def stop_failed(stop_id: int):
    stop = _driven_stop(stop_id)
    form = FailedStopForm()
    if not form.validate_on_submit():
        flash(_("Bitte kurz schreiben, was passiert ist."), "error")
        return redirect(url_for("delivery.driver_tour", tour_id=stop.tour_id))
    services.fail_stop(stop, note=form.note.data, now=utcnow(), actor=current_user)
    db.session.commit()
    flash(_("Halt %(n)s ist als nicht zugestellt gemeldet; die Bestellungen kommen zurück.", n=stop.sequence), "info")
    return redirect(url_for("delivery.driver_tour", tour_id=stop.tour_id))


@bp.post("/driver/stops/<int:stop_id>/problem")
@role_required(Role.DRIVER)
def stop_problem(stop_id: int):
    stop = _driven_stop(stop_id)
    form = ProblemForm()
    if not form.validate_on_submit():
        flash(_("Bitte auswählen, was passiert ist."), "error")
        return redirect(url_for("delivery.driver_tour", tour_id=stop.tour_id))
    services.report_stop_problem(stop, problem=StopProblem(form.problem.data), note=form.note.data or "",
                                 now=utcnow(), actor=current_user)
    db.session.commit()
    flash(_("Das Problem ist gemeldet; die Koordination sieht es."), "info")
    return redirect(url_for("delivery.driver_tour", tour_id=stop.tour_id))
