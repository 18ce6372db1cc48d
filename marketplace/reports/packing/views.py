"""The producer's delivery days in the portal: pick list, packing list, crate labels (pages,
PDF, CSV), packed, short lines, real weights, and the minimum turnover per day."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import format_date, gettext
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_act_for_producer, role_required
from marketplace.catalog.models import Producer
from marketplace.catalog.portal import own_producer
from marketplace.catalog.services import format_price_text, parse_price_text
from marketplace.core.clock import local_today, utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import packing
from marketplace.orders.models import OrderLine
from marketplace.reports.packing import documents, queries
from marketplace.reports.packing.forms import ActionForm, MinimumForm, ShortForm, WeightForm
from marketplace.web.errors import domain_message

bp = Blueprint("packing", __name__, url_prefix="/me/producer/tage")


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


def own_line(line_id: int) -> OrderLine:
    """One of the signed-in producer's order lines; anyone else's is as good as missing (404)."""
    line = queries.get_producer_line(line_id)
    if line is None or not can_act_for_producer(current_user, line.producer_order.producer_id):
        abort(404)
    return line


def _day_page(producer: Producer, day: date, *, errors: dict[int, str] | None = None, status: int = 200):
    sheet = queries.load_producer_day(producer.id, day)
    return render_template(
        "packing/day.html", producer=producer, day=day, sheet=sheet, now=utcnow(),
        errors=errors or {}, action=ActionForm(), weight_form=WeightForm(formdata=None),
        short_form=ShortForm(formdata=None),
    ), status


@bp.get("")
@role_required(Role.PRODUCER)
def index():
    producer = own_producer()
    days = queries.list_producer_days(producer.id, local_today(utcnow()))
    sub_regions = queries.list_region_sub_regions(producer.place.municipality.sub_region_id)
    minimums = {k: format_price_text(v) for k, v in queries.list_minimums(producer.id).items()}
    return render_template("packing/index.html", producer=producer, days=days, sub_regions=sub_regions,
                           minimums=minimums, form=MinimumForm(formdata=None))


@bp.post("/mindestumsatz")
@role_required(Role.PRODUCER)
def minimum():
    producer = own_producer()
    form = MinimumForm()
    allowed = {s.id for s in queries.list_region_sub_regions(producer.place.municipality.sub_region_id)}
    if not form.validate_on_submit() or form.teilregion.data not in allowed:
        abort(404)
    try:
        text = (form.mindestumsatz.data or "").strip()
        cents = parse_price_text(text) if text else None
        packing.set_minimum(producer=producer, sub_region_id=form.teilregion.data, minimum_cents=cents)
    except (ValueError, DomainError) as error:
        db.session.rollback()
        flash(domain_message(error) if isinstance(error, DomainError) else gettext(str(error)), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(gettext("Der Mindestumsatz ist gespeichert."), "success")
    return redirect(url_for(".index"))


@bp.get("/<day_text>")
@role_required(Role.PRODUCER)
def day(day_text: str):
    return _day_page(own_producer(), parse_day(day_text))


@bp.get("/<day_text>/drucken")
@role_required(Role.PRODUCER)
def print_lists(day_text: str):
    producer, day = own_producer(), parse_day(day_text)
    return render_template("packing/print.html", producer=producer, day=day,
                           sheet=queries.load_producer_day(producer.id, day))


@bp.get("/<day_text>/etiketten")
@role_required(Role.PRODUCER)
def labels(day_text: str):
    producer, day = own_producer(), parse_day(day_text)
    sheet = queries.load_producer_day(producer.id, day)
    return render_template("packing/labels.html", producer=producer, day=day, labels=sheet.labels(),
                           qr_svg=documents.qr_svg, destination=documents.destination)


def _file(data: bytes, mimetype: str, name: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/<day_text>/<any(pickliste, packliste, etiketten):kind>.<any(csv, pdf):ext>")
@role_required(Role.PRODUCER)
def download(day_text: str, kind: str, ext: str):
    producer, day = own_producer(), parse_day(day_text)
    sheet = queries.load_producer_day(producer.id, day)
    day_label = format_date(day, format="medium")
    name = f"{kind}-{producer.slug}-{day.isoformat()}.{ext}"
    if ext == "csv":
        if kind == "etiketten":
            abort(404)
        data = documents.pick_list_csv(sheet) if kind == "pickliste" else documents.packing_list_csv(sheet)
        return _file(data, "text/csv", name)
    if kind == "etiketten":
        return _file(documents.labels_pdf(sheet.labels(), title=producer.name, day_text=day_label),
                     "application/pdf", name)
    return _file(documents.lists_pdf(sheet, title=producer.name, day_text=day_label), "application/pdf", name)


@bp.post("/<day_text>/gepackt")
@role_required(Role.PRODUCER)
def mark_packed(day_text: str):
    producer, day = own_producer(), parse_day(day_text)
    if not ActionForm().validate_on_submit():
        abort(400)
    result = packing.mark_day_packed(producer=producer, day=day, actor=current_user, now=utcnow())
    db.session.commit()
    flash(gettext("Ihr Teil des Liefertags ist gepackt (%(count)s Bestellungen).", count=result.producer_orders),
          "success")
    return redirect(url_for(".day", day_text=day.isoformat()))


@bp.post("/<day_text>/<slug>/<any(liefern, absagen):answer>")
@role_required(Role.PRODUCER)
def decide(day_text: str, slug: str, answer: str):
    producer, day = own_producer(), parse_day(day_text)
    producer_day = queries.get_producer_day(producer.id, day, slug)
    if producer_day is None or not ActionForm().validate_on_submit():
        abort(404)
    packing.decide_day(producer_day=producer_day, deliver=answer == "liefern", actor=current_user, now=utcnow())
    db.session.commit()
    flash(gettext("Sie liefern an diesem Tag.") if answer == "liefern"
          else gettext("Der Liefertag ist abgesagt; die Kundschaft wird benachrichtigt."), "success")
    return redirect(url_for(".day", day_text=day.isoformat()))


def _change_line(line_id: int, form, change):
    """Validate `form`, call `change(line, value)`, commit, back to the day; errors on the page (422)."""
    line = own_line(line_id)
    producer, day = line.producer_order.producer, line.order.delivery_date
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()), [gettext("Die Eingabe ist ungültig.")])[0]
        return _day_page(producer, day, errors={line.id: str(message)}, status=422)
    try:
        change(line)
    except DomainError as error:
        db.session.rollback()
        return _day_page(producer, day, errors={line_id: domain_message(error)}, status=error.status)
    db.session.commit()
    flash(gettext("Gespeichert."), "success")
    return redirect(url_for(".day", day_text=day.isoformat()) + f"#position-{line_id}")


@bp.post("/positionen/<int:line_id>/gewicht")
@role_required(Role.PRODUCER)
def weigh(line_id: int):
    form = WeightForm()
    return _change_line(line_id, form, lambda line: packing.weigh_line(
        line=line, weight_grams=form.gewicht.data, actor=current_user, now=utcnow()))


@bp.post("/positionen/<int:line_id>/fehlmenge")
@role_required(Role.PRODUCER)
def short(line_id: int):
    form = ShortForm()
    return _change_line(line_id, form, lambda line: packing.mark_line_short(
        line=line, short_quantity=form.fehlmenge.data, actor=current_user, now=utcnow()))

