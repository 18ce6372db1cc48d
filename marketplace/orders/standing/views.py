"""The resident's standing-order pages: list, create from the basket, pause, resume, skip, end."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, gettext
from flask_login import current_user, login_required

from marketplace.accounts.permissions import can_see_standing_order
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.forms import option_value
from marketplace.orders.services import cart_items
from marketplace.orders.standing import services
from marketplace.orders.standing.forms import StandingActionForm, StandingOrderForm
from marketplace.orders.views import _PLACE_ERRORS, load_basket_checkout
from marketplace.payments.providers import available_methods
from marketplace.payments.standing import UNATTENDED_METHODS, submit_standing_order
from marketplace.web.errors import domain_message
from marketplace.web.labels import PAYMENT_METHOD_LABELS

bp = Blueprint("standing", __name__)

PAYMENT_LABELS = PAYMENT_METHOD_LABELS


def _own(standing_id: int):
    standing = services.get_standing_order(standing_id)
    if standing is None or not can_see_standing_order(current_user, standing):
        abort(404)
    return standing


@bp.get("/konto/dauerauftraege")
@login_required
def index():
    now = utcnow()
    standings = services.list_standing_orders_of(current_user.id)
    return render_template(
        "standing/list.html", standings=standings, form=StandingActionForm(),
        next_days={s.id: services.next_order_day(s, now) for s in standings},
        has_cart=bool(cart_items(current_user)),
        lead=format_timedelta(timedelta(minutes=current_app.config["STANDING_ORDER_LEAD_MINUTES"]), threshold=2),
    )


def _payment_choices() -> list[tuple[str, str]]:
    return [(str(m), str(PAYMENT_LABELS[m])) for m in available_methods() if m in UNATTENDED_METHODS]


@bp.route("/konto/dauerauftraege/neu", methods=["GET", "POST"])
@login_required
def new():
    items = cart_items(current_user)
    if not items:
        flash(gettext("Legen Sie zuerst in den Warenkorb, was Sie jede Woche bekommen möchten."), "info")
        return redirect(url_for("orders.cart"))
    context, basket, refusal = load_basket_checkout(items)
    if refusal is not None:
        return refusal
    schedule = context.sub_region.schedule
    options = [o for o in checkout.list_fulfilment_options(context, basket) if o.allowed]
    form = StandingOrderForm()
    form.weekday.choices = [(str(w), w) for w in (schedule.weekdays if schedule else [])]
    form.fulfilment.choices = [(option_value(o), option_value(o)) for o in options]
    form.door_window.choices = [(w, w) for w in checkout.list_door_windows(context.sub_region)]
    form.payment_method.choices = _payment_choices()
    if request.method == "GET":
        form.payment_method.data = form.payment_method.choices[0][0] if form.payment_method.choices else None
    elif form.validate_on_submit():
        try:
            submit_standing_order(
                resident=current_user, weekday=int(form.weekday.data), fulfilment=form.fulfilment_choice(),
                payment_method=form.payment_method.data, items=items, now=utcnow(),
            )
        except DomainError as error:
            db.session.rollback()
            field = form.fulfilment if isinstance(error, _PLACE_ERRORS) else (
                form.weekday if isinstance(error, services.NotADeliveryWeekday) else None)
            (field.errors if field is not None else form.form_errors).append(domain_message(error))
        else:
            db.session.commit()
            flash(gettext("Ihr Dauerauftrag ist angelegt."), "success")
            return redirect(url_for("standing.index"))
    return render_template(
        "standing/new.html", form=form, options=options, basket=basket, option_value=option_value,
    ), 422 if request.method == "POST" else 200


def _act(standing_id: int, action, message: str):
    standing = _own(standing_id)
    form = StandingActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(standing, form, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("standing.index"))


def _parse_day(text: str | None):
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


@bp.post("/konto/dauerauftraege/<int:standing_id>/pausieren")
@login_required
def pause(standing_id: int):
    return _act(standing_id, lambda s, f, now: services.pause_standing_order(s, now=now),
                gettext("Der Dauerauftrag ist pausiert."))


@bp.post("/konto/dauerauftraege/<int:standing_id>/fortsetzen")
@login_required
def resume(standing_id: int):
    return _act(standing_id, lambda s, f, now: services.resume_standing_order(s, now=now),
                gettext("Der Dauerauftrag läuft wieder."))


@bp.post("/konto/dauerauftraege/<int:standing_id>/aussetzen")
@login_required
def skip(standing_id: int):
    return _act(standing_id, lambda s, f, now: services.skip_date(s, _parse_day(f.day.data), now=now),
                gettext("Diese Woche wird nichts bestellt."))


@bp.post("/konto/dauerauftraege/<int:standing_id>/beenden")
@login_required
def end(standing_id: int):
    return _act(standing_id, lambda s, f, now: services.end_standing_order(s, now=now),
                gettext("Der Dauerauftrag ist beendet."))
