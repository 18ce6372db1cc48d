"""The payment methods a sub-region offers, chosen on the web: by the region admin in the set-up
(/admin/region/teilregionen/<id>/zahlungsarten) and by the sub-region's coordinator
(/koordination/<slug>/zahlungsarten). Both pages call `payments/sub_region_methods.py`, as
`flask payments methods` does; the fees they show are edited where they are stored (the
sub-region's offer, the region's settings)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_choose_payment_methods, role_required
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.fees import fee_terms
from marketplace.payments.sub_region_methods import list_method_states, set_payment_methods
from marketplace.regions.models import SubRegion
from marketplace.web.errors import domain_message

bp = Blueprint("payment_methods", __name__)


class PaymentMethodsForm(FlaskForm):
    # The page renders the boxes itself (Stripe greyed out without its keys); which values are
    # methods, and which the installation can take, is the service's rule (German messages).
    methods = SelectMultipleField(_l("Angebotene Zahlungsarten"), choices=[], validate_choice=False,
                                  option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


def _chosen_sub_region(sub_region: SubRegion | None) -> SubRegion:
    if sub_region is None or not can_choose_payment_methods(current_user, sub_region):
        abort(404)
    return sub_region


def _edit(sub_region: SubRegion, *, as_admin: bool):
    """The form, and on a valid POST one call of `set_payment_methods`; a refusal → 422, nothing changed."""
    states = list_method_states(sub_region.id)
    form = PaymentMethodsForm()
    if form.validate_on_submit():
        # Each box that can be ticked is a change; a greyed-out method keeps its setting.
        chosen = set(form.methods.data or [])
        changes = {s.method.value: False for s in states if s.is_configured} | dict.fromkeys(chosen, True)
        try:
            set_payment_methods(sub_region=sub_region, changes=changes, actor=current_user, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.methods.errors = [*form.methods.errors, domain_message(error)]
        else:
            db.session.commit()
            flash(gettext("Die Zahlungsarten sind gespeichert."), "success")
            return redirect(request.path)
    checked = set(form.methods.data or []) if request.method == "POST" else {s.method.value for s in states if s.is_enabled}
    return render_template(
        "payment_methods/edit.html", sub_region=sub_region, states=states, form=form, checked=checked,
        terms=fee_terms(sub_region.region), as_admin=as_admin,
    ), 422 if request.method == "POST" else 200


@bp.route("/admin/region/teilregionen/<int:sub_region_id>/zahlungsarten", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def region_admin(sub_region_id: int):
    return _edit(_chosen_sub_region(db.session.get(SubRegion, sub_region_id)), as_admin=True)


@bp.route("/koordination/<slug>/zahlungsarten", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def coordinator(slug: str):
    sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
    return _edit(_chosen_sub_region(sub_region), as_admin=False)

