"""Joining on the web: the public application form, the owner's team page with invitations,
and the invitation link (a signed token of the invitation's id)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user
from itsdangerous import BadSignature, URLSafeSerializer

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_invite_staff, role_required
from marketplace.catalog import onboarding
from marketplace.catalog.models import StaffInvitation
from marketplace.catalog.onboarding_forms import (
    AcceptInvitationForm,
    ApplicationForm,
    ApplicationWithAccountForm,
    InviteForm,
)
from marketplace.catalog.portal import own_producer
from marketplace.core.clock import utcnow
from marketplace.extensions import db, limiter

bp = Blueprint("onboarding", __name__)

_INVITATION_SALT = "landkorb.staff-invitation.v1"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_INVITATION_SALT)


def invitation_link(invitation_id: int) -> str:
    return url_for("onboarding.accept_invitation", token=_signer().dumps(invitation_id), _external=True)


def _invitation(token: str) -> StaffInvitation:
    """The invitation a link names; a forged or unknown token is as good as missing."""
    try:
        invitation_id = _signer().loads(token)
    except BadSignature:
        abort(404)
    invitation = db.session.get(StaffInvitation, invitation_id) if type(invitation_id) is int else None
    if invitation is None:
        abort(404)
    return invitation


def _show(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None) or form.name
        target.errors = [*target.errors, gettext(message)]


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


@bp.route("/erzeuger/bewerben", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def apply():
    signed_in = current_user.is_authenticated
    if signed_in and current_user.scopes(Role.PRODUCER):
        flash(gettext("Mit diesem Konto arbeiten Sie schon für einen Erzeuger."), "info")
        return redirect(url_for("portal.producer"))
    form = ApplicationForm() if signed_in else ApplicationWithAccountForm()
    if form.validate_on_submit():
        application = onboarding.Application(
            name=form.name.data, street=form.street.data, postcode=form.postcode.data.strip(),
            town=form.town.data, description=form.description.data or "",
            organic_control_number=form.organic_control_number.data, vat_status=form.vat_status.data,
            phone=form.phone.data,
        )
        account = None if signed_in else onboarding.NewAccount(
            email=form.email.data, password=form.password.data, name=form.account_name.data,
            hash_method=_hash_method(),
        )
        try:
            producer = onboarding.apply_as_producer(
                application=application, owner=current_user if signed_in else None, account=account,
                now=utcnow(), nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
            )
        except onboarding.InvalidApplication as error:
            db.session.rollback()
            _show(form, error.errors)
        else:
            db.session.commit()
            if not signed_in:
                login_user(producer.owner)
            flash(gettext("Danke! Ihre Bewerbung ist eingegangen. Die Koordination Ihrer Teilregion entscheidet bald."), "success")
            return redirect(url_for("portal.producer"))
    status = 422 if request.method == "POST" else 200
    return render_template("onboarding/apply.html", form=form, signed_in=signed_in), status


@bp.route("/me/producer/team", methods=["GET", "POST"])
@role_required(Role.PRODUCER)
def team():
    producer = own_producer()
    form = InviteForm()
    if request.method == "POST":
        if not can_invite_staff(current_user, producer):
            abort(403)
        if form.validate_on_submit():
            try:
                onboarding.invite_staff(
                    producer=producer, email=form.email.data, invited_by=current_user, now=utcnow(),
                    link_for=invitation_link, hash_method=_hash_method(),
                )
            except (onboarding.InvalidApplication, onboarding.AlreadyStaff) as error:
                db.session.rollback()
                message = getattr(error, "errors", {}).get("email", error.detail)
                form.email.errors = [gettext(message)]
            else:
                db.session.commit()
                flash(gettext("Die Einladung ist verschickt."), "success")
                return redirect(url_for(".team"))
    now = utcnow()
    return render_template(
        "onboarding/team.html", producer=producer, form=form,
        staff=onboarding.list_staff(producer.id),
        invitations=onboarding.list_open_invitations(producer.id, now),
        may_invite=can_invite_staff(current_user, producer),
    ), 422 if request.method == "POST" else 200


@bp.route("/einladung/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    invitation = _invitation(token)
    now = utcnow()
    if not onboarding.is_invitation_open(invitation, now):
        return render_template("onboarding/invitation.html", invitation=invitation, form=None,
                               closed=True), 410
    new_account = onboarding.needs_new_account(invitation)
    if not new_account and not (current_user.is_authenticated and current_user.id == invitation.user_id):
        # An existing account accepts when signed in as itself.
        return render_template("onboarding/invitation.html", invitation=invitation, form=None,
                               closed=False, login_next=request.path)
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = onboarding.accept_invitation(
                invitation=invitation, now=now, name=form.name.data, password=form.password.data,
                hash_method=_hash_method(),
            )
        except onboarding.InvalidApplication as error:
            db.session.rollback()
            _show(form, error.errors)
        else:
            db.session.commit()
            login_user(user)
            flash(gettext("Willkommen im Team von %(name)s!", name=invitation.producer.name), "success")
            return redirect(url_for("portal.producer"))
    return render_template("onboarding/invitation.html", invitation=invitation, form=form,
                           new_account=new_account, closed=False), 422 if request.method == "POST" else 200
