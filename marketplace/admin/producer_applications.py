"""The coordinator's screens for producers' applications, in the coordinator's area of a
sub-region (`/delivery/<slug>/producers`): the waiting ones, one to approve or decline, and
the ones decided. Another sub-region's applicant is as good as missing (404)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_decide_producer, role_required
from marketplace.catalog import onboarding
from marketplace.catalog.models import Producer
from marketplace.catalog.onboarding_forms import DecisionForm
from marketplace.core.clock import utcnow
from marketplace.delivery.views import _coordinated  # the coordinator's area this page is part of
from marketplace.extensions import db
from marketplace.regions.models import SubRegion

bp = Blueprint("producer_applications", __name__, url_prefix="/delivery/<slug>/producers")


def _applicant(slug: str, producer_id: int) -> tuple[SubRegion, Producer]:
    sub_region = _coordinated(slug)
    producer = db.session.get(Producer, producer_id)
    if producer is None or producer.place.municipality.sub_region_id != sub_region.id \
            or not can_decide_producer(current_user, producer):
        abort(404)
    return sub_region, producer


@bp.get("")
@role_required(Role.COORDINATOR)
def index(slug: str):
    sub_region = _coordinated(slug)
    return render_template(
        "onboarding/applications.html", sub_region=sub_region,
        pending=onboarding.list_applications(sub_region.id, pending=True),
        decided=onboarding.list_applications(sub_region.id, pending=False)[:20],
    )


@bp.get("/<int:producer_id>")
@role_required(Role.COORDINATOR)
def show(slug: str, producer_id: int):
    sub_region, producer = _applicant(slug, producer_id)
    return render_template("onboarding/application.html", sub_region=sub_region, producer=producer,
                           form=DecisionForm())


@bp.post("/<int:producer_id>/approve")
@role_required(Role.COORDINATOR)
def approve(slug: str, producer_id: int):
    sub_region, producer = _applicant(slug, producer_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    onboarding.approve_producer(producer=producer, decided_by=current_user, now=utcnow())
    db.session.commit()
    flash(gettext("%(name)s ist freigeschaltet und im Katalog.", name=producer.name), "success")
    return redirect(url_for(".index", slug=slug))


@bp.post("/<int:producer_id>/decline")
@role_required(Role.COORDINATOR)
def decline(slug: str, producer_id: int):
    sub_region, producer = _applicant(slug, producer_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            onboarding.decline_producer(producer=producer, decided_by=current_user,
                                        reason=form.reason.data or "", now=utcnow())
        except onboarding.InvalidApplication as error:
            db.session.rollback()
            message = error.errors["reason"]
            form.reason.errors = [gettext(message)]
        else:
            db.session.commit()
            flash(gettext("Die Bewerbung von %(name)s ist abgelehnt.", name=producer.name), "success")
            return redirect(url_for(".index", slug=slug))
    return render_template("onboarding/application.html", sub_region=sub_region, producer=producer,
                           form=form), 422
