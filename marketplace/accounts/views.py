"""Login, logout and the start page that sends each person to the page for their role."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import LoginForm
from marketplace.accounts.models import Role, User
from marketplace.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
login_manager.login_message_category = "info"

# Where each role starts, in the order a person with several roles is sent.
START_PAGES = [
    (Role.ADMIN, "portal.admin"),
    (Role.COORDINATOR, "portal.coordinator"),
    (Role.PRODUCER, "portal.producer"),
    (Role.OPERATOR, "portal.operator"),
    (Role.SALES_POINT_STAFF, "portal.sales_point"),
    (Role.DRIVER, "portal.driver"),
    (Role.RESIDENT, "portal.resident"),
]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(gettext("E-Mail oder Passwort stimmen nicht."))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(form.next.data) or url_for("accounts.start"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(gettext("Sie sind abgemeldet."), "info")
    return redirect(url_for("web.home"))


@bp.get("/start")
@login_required
def start():
    roles = current_user.roles()
    for role, endpoint in START_PAGES:
        if role in roles:
            return redirect(url_for(endpoint))
    return redirect(url_for("web.home"))
