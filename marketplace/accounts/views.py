"""Login, logout, registration, the home address and the start page for each role."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.accounts import services
from marketplace.accounts.forms import AddressForm, LoginForm, RegistrationForm
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


@bp.route("/registrieren", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.start"))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.register_resident(
                email=form.email.data, password=form.password.data, name=form.name.data,
                phone=form.phone.data,
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"),
            )
        except services.EmailTaken as error:
            form.email.errors.append(gettext(error.detail))
        except services.WeakPassword as error:
            form.password.errors.append(gettext(error.detail))
        else:
            db.session.commit()
            login_user(user)
            flash(gettext("Willkommen bei Landkorb! Wo wohnen Sie?"), "success")
            return redirect(url_for("accounts.address"))
    return render_template("accounts/register.html", form=form)


@bp.route("/konto/adresse", methods=["GET", "POST"])
@login_required
def address():
    form = AddressForm(
        data=None if request.method == "POST" else {
            "street": current_user.street, "postcode": current_user.postcode,
            "town": current_user.town,
        }
    )
    if form.validate_on_submit():
        try:
            services.set_home_address(
                current_user, street=form.street.data, postcode=form.postcode.data,
                town=form.town.data,
                nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
            )
        except services.UnknownAddress as error:
            db.session.rollback()
            form.postcode.errors.append(gettext(error.detail))
        else:
            db.session.commit()
            sub_region = current_user.home_sub_region
            if sub_region is None:
                flash(gettext(
                    "Ihre Adresse liegt außerhalb unserer Liefergebiete. "
                    "Sie können trotzdem stöbern."
                ), "info")
            else:
                flash(gettext("Adresse gespeichert. Ihr Liefergebiet: %(name)s.", name=sub_region.name), "success")
            return redirect(url_for("accounts.start"))
    return render_template("accounts/address.html", form=form)
