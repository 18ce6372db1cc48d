"""The operator's station pages: compartments and their state, a delivery day, the keypad."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_operate, role_required
from marketplace.catalog.models import Temperature
from marketplace.catalog.photos import InvalidPhoto, PhotoTooLarge, delete_photo
from marketplace.core.clock import local_datetime, local_today, utcnow
from marketplace.extensions import db
from marketplace.orders.collection import list_stays_to_empty, record_outcome
from marketplace.pickup import queries
from marketplace.pickup.codes import release_keypad
from marketplace.pickup.collection import compartment_labels, get_stay, reveal_code
from marketplace.pickup.events import Limits
from marketplace.pickup.forms import (
    ButtonForm,
    CompartmentForm,
    NewCompartmentForm,
    OutOfServiceForm,
    StationForm,
)
from marketplace.pickup.models import (
    Compartment,
    CompartmentSize,
    CompartmentState,
    EmptyOutcome,
    ParcelStation,
)
from marketplace.pickup.sales_point.forms import OutcomeForm
from marketplace.pickup.services import (
    add_compartment,
    change_compartment,
    return_to_service,
    take_out_of_service,
)
from marketplace.pickup.station_setup import (
    InvalidStation,
    StationDetails,
    add_station,
    change_station,
    list_places_for_stations,
    set_station_photo,
)
from marketplace.pickup.temperature_log import list_readings, readings_csv, readings_svg
from marketplace.web.errors import domain_message

bp = Blueprint("stations", __name__, url_prefix="/operator/stations")


@bp.app_template_filter("pickup_code")
def pickup_code(token: str | None) -> str:
    """A notification's encrypted pickup code in digits, when its text is rendered for sending."""
    return reveal_code(token) or "--------"


def _own_station(station_id: int) -> ParcelStation:
    station = db.session.get(ParcelStation, station_id)
    if station is None or not can_operate(current_user, station.id):
        abort(404)  # another operator's station is as good as missing
    return station


def _own_compartment(station_id: int, compartment_id: int) -> Compartment:
    station = _own_station(station_id)
    compartment = db.session.get(Compartment, compartment_id)
    if compartment is None or compartment.station_id != station.id:
        abort(404)
    return compartment


def _day(name: str = "date", default: date | None = None) -> date:
    raw = request.args.get(name)
    if not raw:
        return default or local_today(utcnow())
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


def _period() -> tuple[date, date, datetime, datetime]:
    """?from=&to= (local days, both included), by default the last 7 days; at most a year."""
    today = local_today(utcnow())
    first, last = _day("from", today - timedelta(days=6)), _day("to", today)
    if not timedelta(0) <= last - first <= timedelta(days=366):
        abort(404)
    return first, last, local_datetime(first, time(0)), local_datetime(last + timedelta(days=1), time(0))


@bp.get("/")
@role_required(Role.OPERATOR)
def index():
    return render_template("stations/index.html", stations=queries.list_stations(current_user.scopes(Role.OPERATOR)))


def _details(form: StationForm) -> StationDetails:
    return StationDetails(
        name=form.name.data or "", street=form.street.data or "", place_id=form.place_id.data,
        access_hours=form.access_hours.data or "", contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
    )


def _save_station_form(form: StationForm, station: ParcelStation | None):
    """Add or change the station and its photo; the station, or None with the form's errors set."""
    upload = form.photo.data
    try:
        if station is None:
            station = add_station(operator=current_user, details=_details(form))
        else:
            change_station(station, _details(form))
        replaced = None
        if upload and upload.filename:
            replaced = set_station_photo(station, data=upload.read(), upload_dir=current_app.config["UPLOAD_DIR"])
    except InvalidStation as error:
        db.session.rollback()
        for name, message in error.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, _(message)]
        return None
    except (InvalidPhoto, PhotoTooLarge) as error:
        db.session.rollback()
        form.photo.errors = [*form.photo.errors, domain_message(error)]
        return None
    db.session.commit()
    delete_photo(replaced, current_app.config["UPLOAD_DIR"])
    return station


@bp.route("/new", methods=["GET", "POST"], defaults={"station_id": None})
@bp.route("/<int:station_id>/edit", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def edit(station_id: int | None):
    station = _own_station(station_id) if station_id is not None else None
    request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    form = StationForm(obj=station)
    form.place_id.choices = [(p.id, p.name) for p in list_places_for_stations()]
    if form.validate_on_submit():
        saved = _save_station_form(form, station)
        if saved is not None:
            flash(_("Gespeichert.") if station else _("Die Station wartet auf die Freigabe durch die Koordination."),
                  "success")
            return _back(saved.id)
    return render_template("stations/edit.html", form=form, station=station), \
        422 if request.method == "POST" else 200


@bp.get("/<int:station_id>")
@role_required(Role.OPERATOR)
def station(station_id: int):
    station = _own_station(station_id)
    # Without a chosen day: the first coming day with compartments planned, else today.
    planned_days = queries.list_planned_days(station.id, local_today(utcnow()))
    day = _day(default=planned_days[0][0] if planned_days else None)
    return render_template(
        "stations/station.html", station=station, day=day, now=utcnow(), keypad=queries.get_keypad(station.id),
        planned_days=planned_days,
        reservations=queries.list_reservations_on(station.id, day), waiting=queries.list_waiting(station.id),
        out_form=OutOfServiceForm(), to_empty=list_stays_to_empty(station.id),
        outcome_form=OutcomeForm(), labels_of=compartment_labels,
        new_form=NewCompartmentForm(), edit_form=CompartmentForm(),
        button_form=ButtonForm(), out_of_service=CompartmentState.OUT_OF_SERVICE,
    )


def _back(station_id: int):
    return redirect(url_for("stations.station", station_id=station_id))


def _saved(station_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return _back(station_id)


def _refused(form, station_id: int):
    flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    return _back(station_id)


@bp.post("/<int:station_id>/compartments/<int:compartment_id>/out-of-service")
@role_required(Role.OPERATOR)
def out_of_service(station_id: int, compartment_id: int):
    compartment, form = _own_compartment(station_id, compartment_id), OutOfServiceForm()
    if not form.validate_on_submit():
        return _refused(form, station_id)
    if not take_out_of_service(compartment, reason=form.reason.data.strip(), now=utcnow()):
        return _back(station_id)
    return _saved(station_id, _("Fach %(label)s ist außer Betrieb.", label=compartment.label))


@bp.post("/<int:station_id>/compartments/<int:compartment_id>/in-service")
@role_required(Role.OPERATOR)
def in_service(station_id: int, compartment_id: int):
    compartment = _own_compartment(station_id, compartment_id)
    if not ButtonForm().validate_on_submit() or compartment.state != CompartmentState.OUT_OF_SERVICE:
        return _back(station_id)
    return_to_service(compartment, now=utcnow())
    return _saved(station_id, _("Fach %(label)s ist wieder in Betrieb.", label=compartment.label))


@bp.post("/<int:station_id>/keypad/release")
@role_required(Role.OPERATOR)
def keypad_release(station_id: int):
    station = _own_station(station_id)
    if not ButtonForm().validate_on_submit():
        return _back(station_id)
    release_keypad(station, now=utcnow())
    return _saved(station_id, _("Das Tastenfeld ist wieder frei."))


@bp.post("/<int:station_id>/compartments")
@role_required(Role.OPERATOR)
def compartment_add(station_id: int):
    station, form = _own_station(station_id), NewCompartmentForm()
    if not form.validate_on_submit():
        return _refused(form, station_id)
    compartment = add_compartment(station, label=form.label.data, size=CompartmentSize(form.size.data),
                                  temperature=Temperature(form.temperature.data))
    return _saved(station_id, _("Fach %(label)s ist angelegt.", label=compartment.label))


@bp.post("/<int:station_id>/compartments/<int:compartment_id>")
@role_required(Role.OPERATOR)
def compartment_edit(station_id: int, compartment_id: int):
    compartment, form = _own_compartment(station_id, compartment_id), CompartmentForm()
    if not form.validate_on_submit():
        return _refused(form, station_id)
    change_compartment(compartment, size=CompartmentSize(form.size.data),
                       temperature=Temperature(form.temperature.data), now=utcnow())
    return _saved(station_id, _("Fach %(label)s ist geändert.", label=compartment.label))


@bp.get("/<int:station_id>/compartments/<int:compartment_id>/temperatures")
@role_required(Role.OPERATOR)
def temperatures(station_id: int, compartment_id: int):
    compartment = _own_compartment(station_id, compartment_id)
    first, last, since, until = _period()
    readings = list_readings(compartment.id, since=since, until=until)
    chart = readings_svg(
        readings, limit_c=Limits.from_config(current_app.config).max_c(compartment.temperature),
        title=_("Temperaturen in Fach %(label)s", label=compartment.label),
    )
    return render_template("stations/temperatures.html", station=compartment.station, compartment=compartment,
                           readings=readings, chart=chart, first=first, last=last)


@bp.get("/<int:station_id>/compartments/<int:compartment_id>/temperatures.csv")
@role_required(Role.OPERATOR)
def temperatures_csv(station_id: int, compartment_id: int):
    compartment = _own_compartment(station_id, compartment_id)
    first, last, since, until = _period()
    body = readings_csv(compartment, list_readings(compartment.id, since=since, until=until))
    name = f"temperaturen-{compartment.station_id}-{compartment.label}-{first}-{last}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})



@bp.post("/<int:station_id>/orders/<int:order_id>/outcome")
@role_required(Role.OPERATOR)
def outcome(station_id: int, order_id: int):
    station, form = _own_station(station_id), OutcomeForm()
    stay = get_stay(order_id)
    if stay is None or stay.pickup_place_id != station.id:
        abort(404)
    if not form.validate_on_submit():
        return _refused(form, station_id)
    record_outcome(stay, outcome=EmptyOutcome(form.outcome.data), actor=current_user, now=utcnow())
    return _saved(station_id, _("Erfasst: Bestellung %(number)s wurde geräumt.", number=stay.order.number))
