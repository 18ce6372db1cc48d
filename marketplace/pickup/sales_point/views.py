"""The sales point's staff pages: the day's incoming orders, confirm receipt from the driver, hand
over (code, or ID card when it is lost), record payment at pickup and "not collected", and
record what was done with expired goods. Staff see only their own sales point."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_staff, role_required
from marketplace.core.clock import local_today, utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import collection
from marketplace.pickup.collection import get_stay, receive_at_sales_point
from marketplace.pickup.forms import ButtonForm
from marketplace.pickup.models import EmptyOutcome, HowIdentified, PickupStay, SalesPoint
from marketplace.pickup.sales_point.forms import IDENTIFIED_LABELS, HandoverForm, OutcomeForm
from marketplace.web.errors import domain_message

bp = Blueprint("sales_point", __name__, url_prefix="/sales-point")


def _own_place(place_id: int) -> SalesPoint:
    place = db.session.get(SalesPoint, place_id)
    if place is None or not can_staff(current_user, place.id):
        abort(404)  # another sales point is as good as missing
    return place


def _own_stay(place_id: int, order_id: int) -> PickupStay:
    place = _own_place(place_id)
    stay = get_stay(order_id)
    if stay is None or stay.pickup_place_id != place.id:
        abort(404)
    return stay


def _day() -> date:
    raw = request.args.get("date")
    if not raw:
        return local_today(utcnow())
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


@bp.get("/<int:place_id>")
@role_required(Role.SALES_POINT_STAFF)
def day(place_id: int):
    place, day = _own_place(place_id), _day()
    return render_template(
        "sales_point/day.html", place=place, day=day, orders=collection.list_orders_at(place.id, day),
        waiting=collection.list_waiting_stays(place.id), to_empty=collection.list_stays_to_empty(place.id),
        is_waiting=collection.is_waiting, button_form=ButtonForm(), handover_form=HandoverForm(),
        outcome_form=OutcomeForm(), identified_labels=IDENTIFIED_LABELS,
    )


def _done(stay: PickupStay, message: str):
    db.session.commit()
    flash(message, "success")
    return _back(stay)


def _back(stay: PickupStay):
    return redirect(url_for("sales_point.day", place_id=stay.pickup_place_id, date=stay.order.delivery_date.isoformat()))


def _refused(stay: PickupStay, error: DomainError | None = None, form=None):
    db.session.rollback()
    text = domain_message(error) if error is not None else " ".join(
        str(e) for errors in form.errors.values() for e in errors)
    flash(text, "error")
    return _back(stay)


@bp.post("/<int:place_id>/orders/<int:order_id>/receive")
@role_required(Role.SALES_POINT_STAFF)
def receive(place_id: int, order_id: int):
    stay = _own_stay(place_id, order_id)
    if not ButtonForm().validate_on_submit():
        return _back(stay)
    try:
        receive_at_sales_point(stay, staff=current_user, now=utcnow())
    except DomainError as error:
        return _refused(stay, error)
    return _done(stay, _("Bestellung %(number)s ist angenommen; der Kunde ist benachrichtigt.", number=stay.order.number))


@bp.post("/<int:place_id>/orders/<int:order_id>/handover")
@role_required(Role.SALES_POINT_STAFF)
def handover(place_id: int, order_id: int):
    stay, form = _own_stay(place_id, order_id), HandoverForm()
    if not form.validate_on_submit():
        return _refused(stay, form=form)
    try:
        collection.hand_over(stay, staff=current_user, identified_by=HowIdentified(form.identified_by.data),
                             code=form.code.data, now=utcnow())
    except DomainError as error:
        return _refused(stay, error)
    return _done(stay, _("Bestellung %(number)s ist übergeben.", number=stay.order.number))


@bp.post("/<int:place_id>/orders/<int:order_id>/paid")
@role_required(Role.SALES_POINT_STAFF)
def paid(place_id: int, order_id: int):
    stay = _own_stay(place_id, order_id)
    if not ButtonForm().validate_on_submit():
        return _back(stay)
    try:
        collection.record_paid(stay, staff=current_user, now=utcnow())
    except DomainError as error:
        return _refused(stay, error)
    return _done(stay, _("Die Zahlung für Bestellung %(number)s ist erfasst.", number=stay.order.number))


@bp.post("/<int:place_id>/orders/<int:order_id>/not-collected")
@role_required(Role.SALES_POINT_STAFF)
def not_collected(place_id: int, order_id: int):
    stay = _own_stay(place_id, order_id)
    if not ButtonForm().validate_on_submit():
        return _back(stay)
    try:
        collection.record_not_collected(stay, staff=current_user, now=utcnow())
    except DomainError as error:
        return _refused(stay, error)
    return _done(stay, _("Bestellung %(number)s ist als nicht abgeholt erfasst.", number=stay.order.number))


@bp.post("/<int:place_id>/orders/<int:order_id>/outcome")
@role_required(Role.SALES_POINT_STAFF)
def outcome(place_id: int, order_id: int):
    stay, form = _own_stay(place_id, order_id), OutcomeForm()
    if not form.validate_on_submit():
        return _refused(stay, form=form)
    try:
        collection.record_outcome(stay, outcome=EmptyOutcome(form.outcome.data), actor=current_user, now=utcnow())
    except DomainError as error:
        return _refused(stay, error)
    return _done(stay, _("Erfasst: Bestellung %(number)s wurde geräumt.", number=stay.order.number))
