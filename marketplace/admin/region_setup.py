"""The region admin's set-up screens (/admin/region) and the public pages they feed.

Each view: load the admin's region and the object (another region's object → 404), call one
service of regions/setup.py or notifications/invitations.py, commit once, redirect. A refused
change shows the form again with the message at its field, and changes nothing.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_user
from sqlalchemy.exc import SQLAlchemyError

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_set_up_region, first_scoped_or_403, role_required
from marketplace.accounts.services import WeakPassword
from marketplace.admin.region_setup_forms import (
    AcceptForm,
    InviteForm,
    LegalForm,
    MunicipalityForm,
    OfferForm,
    PlaceForm,
    RefundRuleForm,
    RegionForm,
    RenameForm,
    SubRegionForm,
)
from marketplace.catalog import photos
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.core.money import format_cents, parse_euros
from marketplace.extensions import db
from marketplace.notifications import invitations
from marketplace.payments.fees import fee_terms
from marketplace.regions import queries as region_queries
from marketplace.regions import setup
from marketplace.regions.models import Municipality, Place, Region, SubRegion
from marketplace.web.errors import domain_message

bp = Blueprint("region_setup", __name__, url_prefix="/admin/region")
public = Blueprint("region_pages", __name__)


def own_region() -> Region:
    return first_scoped_or_403(Region, Role.ADMIN)


def own_sub_region(sub_region_id: int) -> SubRegion:
    sub_region = db.session.get(SubRegion, sub_region_id)
    if sub_region is None or not can_set_up_region(current_user, sub_region.region_id):
        abort(404)
    return sub_region


def own_municipality(municipality_id: int) -> Municipality:
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None or not can_set_up_region(current_user, municipality.sub_region.region_id):
        abort(404)
    return municipality


def own_place(place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    if place is None or not can_set_up_region(current_user, place.municipality.sub_region.region_id):
        abort(404)
    return place


def _saved(form, act, fallback: str = "name") -> bool:
    """Run `act()` for a valid form and commit; False with the message at its field (or at
    `fallback`) and nothing written otherwise."""
    if not form.validate_on_submit():
        return False
    try:
        act()
    except DomainError as error:
        db.session.rollback()
        field = getattr(form, getattr(error, "field", fallback), None) or getattr(form, fallback)
        field.errors = [*field.errors, domain_message(error)]
        return False
    db.session.commit()
    return True


def _page(template: str, **context):
    status = 422 if request.method == "POST" else 200
    return render_template(f"region_setup/{template}", **context), status


def _region_places(region: Region, municipality_ids=None) -> list[tuple[int | None, str]]:
    choices: list[tuple[int | None, str]] = [(None, gettext("– kein Hub –"))]
    for sub_region in region_queries.list_sub_regions_with_places(region):
        for municipality in sub_region.municipalities:
            if municipality_ids is None or municipality.id in municipality_ids:
                choices += [(p.id, f"{p.name} ({municipality.name})") for p in municipality.places]
    return choices


def _other_municipalities(region: Region, sub_region: SubRegion | None):
    return [
        (m.id, f"{m.name} ({s.name})")
        for s in region_queries.list_sub_regions_with_places(region) if s is not sub_region
        for m in s.municipalities
    ]


@bp.get("")
@role_required(Role.ADMIN)
def index():
    region = own_region()
    sub_regions = region_queries.list_sub_regions_with_places(region)
    return render_template("region_setup/index.html", region=region, sub_regions=sub_regions)


@bp.route("/teilregionen/neu", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_sub_region():
    region = own_region()
    form = SubRegionForm()
    form.municipality_ids.choices = _other_municipalities(region, None)
    form.hub_place_id.choices = _region_places(region)
    holder = {}

    def act():
        holder["sub"] = setup.create_sub_region(
            region=region, name=form.name.data, slug=form.slug.data,
            municipality_ids=form.municipality_ids.data or [], hub_place_id=form.hub_place_id.data,
            actor=current_user, now=utcnow())

    if _saved(form, act):
        flash(gettext("Das Liefergebiet ist angelegt."), "success")
        return redirect(url_for(".sub_region", sub_region_id=holder["sub"].id))
    return _page("new_sub_region.html", region=region, form=form)


def _sub_region_page(sub_region: SubRegion, **forms):
    region = sub_region.region
    own = {m.id for m in sub_region.municipalities}
    form = forms.get("form") or SubRegionForm(formdata=None, obj=sub_region,
                                              hub_place_id=sub_region.schedule.hub_place_id if sub_region.schedule else None)
    form.hub_place_id.choices = _region_places(region, own)
    offer = forms.get("offer") or OfferForm(
        formdata=None, door_delivery=sub_region.door_delivery,
        door_fee=format_cents(sub_region.door_fee_cents).replace("\xa0€", "").replace(" €", ""),
        door_min_order=format_cents(sub_region.door_min_order_cents).replace("\xa0€", "").replace(" €", ""),
        local_note=sub_region.local_note)
    municipality = forms.get("municipality") or MunicipalityForm(formdata=None)
    municipality.municipality_id.choices = [(None, "–")] + _other_municipalities(region, sub_region)
    invite = forms.get("invite") or InviteForm(formdata=None)
    return _page("sub_region.html", region=region, sub_region=sub_region, form=form, offer=offer,
                 municipality=municipality, invite=invite, members=invitations.list_members(sub_region))


@bp.get("/teilregionen/<int:sub_region_id>")
@role_required(Role.ADMIN)
def sub_region(sub_region_id: int):
    return _sub_region_page(own_sub_region(sub_region_id))


@bp.post("/teilregionen/<int:sub_region_id>")
@role_required(Role.ADMIN)
def edit_sub_region(sub_region_id: int):
    sub_region = own_sub_region(sub_region_id)
    form = SubRegionForm()
    form.hub_place_id.choices = _region_places(sub_region.region, {m.id for m in sub_region.municipalities})
    form.municipality_ids.choices = []
    if _saved(form, lambda: setup.update_sub_region(
            sub_region=sub_region, name=form.name.data, slug=form.slug.data,
            hub_place_id=form.hub_place_id.data, actor=current_user, now=utcnow())):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".sub_region", sub_region_id=sub_region.id))
    return _sub_region_page(sub_region, form=form)


def _euros(field) -> int | None:
    try:
        return parse_euros(field.data or "")
    except ValueError:
        field.errors = [*field.errors, gettext("Bitte einen Betrag wie 2,50 angeben.")]
        return None


@bp.post("/teilregionen/<int:sub_region_id>/angebot")
@role_required(Role.ADMIN)
def offer(sub_region_id: int):
    sub_region = own_sub_region(sub_region_id)
    form = OfferForm()

    fee, minimum = _euros(form.door_fee), _euros(form.door_min_order)
    if fee is not None and minimum is not None and _saved(form, lambda: setup.set_offer(
            sub_region=sub_region, offer=setup.Offer(
                door_delivery=form.door_delivery.data, door_fee_cents=fee, door_min_order_cents=minimum,
                local_note=form.local_note.data), actor=current_user, now=utcnow()), fallback="door_fee"):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".sub_region", sub_region_id=sub_region.id))
    return _sub_region_page(sub_region, offer=form)


@bp.post("/teilregionen/<int:sub_region_id>/gemeinden")
@role_required(Role.ADMIN)
def add_municipality(sub_region_id: int):
    sub_region = own_sub_region(sub_region_id)
    form = MunicipalityForm()
    form.municipality_id.choices = [(None, "–")] + _other_municipalities(sub_region.region, sub_region)

    def act():
        if form.municipality_id.data is None and not (form.name.data or "").strip():
            raise setup.EmptyName()
        setup.add_municipality(sub_region=sub_region, municipality_id=form.municipality_id.data,
                               name=form.name.data, actor=current_user, now=utcnow())

    if _saved(form, act, fallback="municipality_id"):
        flash(gettext("Die Gemeinde gehört jetzt zu diesem Liefergebiet."), "success")
        return redirect(url_for(".sub_region", sub_region_id=sub_region.id))
    return _sub_region_page(sub_region, municipality=form)


@bp.post("/teilregionen/<int:sub_region_id>/personen")
@role_required(Role.ADMIN)
def invite(sub_region_id: int):
    sub_region = own_sub_region(sub_region_id)
    form = InviteForm()
    if _saved(form, lambda: invitations.invite_member(
            sub_region=sub_region, role=Role(form.role.data), email=form.email.data, name=form.name.data,
            actor=current_user, base_url=request.host_url, secret_key=current_app.config["SECRET_KEY"],
            now=utcnow()), fallback="email"):
        flash(gettext("Die Einladung ist verschickt."), "success")
        return redirect(url_for(".sub_region", sub_region_id=sub_region.id))
    return _sub_region_page(sub_region, invite=form)


@bp.post("/teilregionen/<int:sub_region_id>/personen/<int:user_id>/<role>/entfernen")
@role_required(Role.ADMIN)
def remove_member(sub_region_id: int, user_id: int, role: str):
    sub_region = own_sub_region(sub_region_id)
    if role not in {r.value for r in invitations.INVITABLE}:
        abort(404)
    membership = invitations.get_member_role(sub_region, user_id, Role(role))
    if membership is None:
        abort(404)
    invitations.remove_member(sub_region=sub_region, membership=membership, actor=current_user, now=utcnow())
    db.session.commit()
    flash(gettext("Die Aufgabe ist entzogen."), "success")
    return redirect(url_for(".sub_region", sub_region_id=sub_region.id))


def _municipality_page(municipality: Municipality, rename=None, place=None):
    return _page("municipality.html", municipality=municipality,
                 rename=rename or RenameForm(formdata=None, obj=municipality),
                 place=place or PlaceForm(formdata=None))


@bp.get("/gemeinden/<int:municipality_id>")
@role_required(Role.ADMIN)
def municipality(municipality_id: int):
    return _municipality_page(own_municipality(municipality_id))


@bp.post("/gemeinden/<int:municipality_id>")
@role_required(Role.ADMIN)
def rename_municipality(municipality_id: int):
    municipality = own_municipality(municipality_id)
    form = RenameForm()
    if _saved(form, lambda: setup.rename_municipality(
            municipality=municipality, name=form.name.data, actor=current_user, now=utcnow())):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".municipality", municipality_id=municipality.id))
    return _municipality_page(municipality, rename=form)


def _place_values(form: PlaceForm) -> setup.PlaceValues:
    return setup.PlaceValues(name=form.name.data, postcode=form.postcode.data, kind=form.kind.data,
                             lat=form.lat.data, lon=form.lon.data)


@bp.post("/gemeinden/<int:municipality_id>/orte")
@role_required(Role.ADMIN)
def add_place(municipality_id: int):
    municipality = own_municipality(municipality_id)
    form = PlaceForm()
    if _saved(form, lambda: setup.add_place(municipality=municipality, values=_place_values(form),
                                            actor=current_user, now=utcnow())):
        flash(gettext("Der Ort ist angelegt."), "success")
        return redirect(url_for(".municipality", municipality_id=municipality.id))
    return _municipality_page(municipality, place=form)


@bp.route("/orte/<int:place_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def place(place_id: int):
    place = own_place(place_id)
    form = PlaceForm(obj=place) if request.method == "GET" else PlaceForm()
    if _saved(form, lambda: setup.update_place(place=place, values=_place_values(form),
                                               actor=current_user, now=utcnow())):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".municipality", municipality_id=place.municipality_id))
    return _page("place.html", place=place, form=form)


def _attach_logo(form: RegionForm, region: Region) -> str | None:
    upload = form.logo.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    key = photos.store_photo(upload.read(), current_app.config["UPLOAD_DIR"])
    return setup.set_region_logo(region=region, logo_key=key, actor=current_user, now=utcnow())


@bp.route("/einstellungen", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def settings():
    request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    region = own_region()
    form = RegionForm(obj=region) if request.method == "GET" else RegionForm()
    replaced = {}

    def act():
        setup.update_region(region=region, name=form.name.data,
                            platform_fee_permille=form.platform_fee_permille.data,
                            brand_colour=form.brand_colour.data, accent_colour=form.accent_colour.data,
                            actor=current_user, now=utcnow())
        try:
            replaced["key"] = _attach_logo(form, region)
        except (photos.InvalidPhoto, photos.PhotoTooLarge) as error:
            raise setup.SetupRefused(error.detail, field="logo") from None

    if _saved(form, act, fallback="name"):
        photos.delete_photo(replaced.get("key"), current_app.config["UPLOAD_DIR"])
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(url_for(".settings"))
    return _page("settings.html", region=region, form=form, terms=fee_terms(region))


def _region_form(form_class, template: str, change, *, fallback: str):
    """A page with one form on the admin's region: `change(region, form)` for a valid one."""
    region = own_region()
    form = form_class(obj=region) if request.method == "GET" else form_class()
    if _saved(form, lambda: change(region, form), fallback=fallback):
        flash(gettext("Die Änderungen sind gespeichert."), "success")
        return redirect(request.path)
    return _page(template, region=region, form=form)


@bp.route("/rechtliches", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def legal():
    return _region_form(LegalForm, "legal.html", lambda region, form: setup.set_legal_texts(
        region=region, imprint_text=form.imprint_text.data, privacy_text=form.privacy_text.data,
        actor=current_user, now=utcnow()), fallback="imprint_text")


@bp.route("/erstattungen", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def refunds():
    return _region_form(RefundRuleForm, "refunds.html", lambda region, form: setup.set_refund_rule(
        region=region, refund_expired_perishables=form.refund_expired_perishables.data,
        actor=current_user, now=utcnow()), fallback="refund_expired_perishables")


@bp.get("/protokoll")
@role_required(Role.ADMIN)
def log():
    region = own_region()
    return render_template("region_setup/log.html", region=region, changes=setup.list_changes(region))


# --- Public: invitation, legal pages, branding --------------------------------------------

@public.route("/einladung/gebiet/<token>", methods=["GET", "POST"])
def accept(token: str):
    secret, now = current_app.config["SECRET_KEY"], utcnow()
    try:
        user = invitations.user_of_invitation(token, secret_key=secret, now=now)
    except invitations.InvalidInvitation as error:
        return render_template("errors/error.html", status=error.status,
                               detail=domain_message(error)), error.status
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            invitations.accept_invitation(token=token, password=form.password.data, secret_key=secret, now=now)
        except WeakPassword as error:
            db.session.rollback()
            form.password.errors = [domain_message(error)]
        else:
            db.session.commit()
            login_user(user)
            flash(gettext("Willkommen! Ihr Konto ist bereit."), "success")
            return redirect(url_for("accounts.start"))
    return _page("accept.html", user=user, form=form)


def _legal_page(title: str, attribute: str):
    region = region_queries.get_default_region()
    text = getattr(region, attribute) if region else None
    return render_template("region_setup/legal_page.html", title=title, text=text, region=region)


@public.get("/impressum")
def imprint():
    return _legal_page(gettext("Impressum"), "imprint_text")


@public.get("/datenschutz")
def privacy():
    return _legal_page(gettext("Datenschutz"), "privacy_text")


@public.before_app_request
def forget_site_region() -> None:
    g.pop("site_region", None)  # requests may share an app context (tests): start afresh


@public.app_context_processor
def branding():
    def site_region() -> Region | None:
        """The installation's region, for the header (name, logo) of every page; once a request."""
        if "site_region" not in g:
            try:
                g.site_region = region_queries.get_default_region()
            except SQLAlchemyError:  # the error page of a database that does not answer
                db.session.rollback()
                g.site_region = None
        return g.site_region

    return {"site_region": site_region}


@public.get("/branding.css")
def branding_css():
    """The region's colours as CSS variables (the security policy allows no inline style)."""
    region = region_queries.get_default_region()
    rules = []
    if region and region.brand_colour:
        rules += [f"--brand: {region.brand_colour};", f"--brand-dark: {region.brand_colour};"]
    if region and region.accent_colour:
        rules.append(f"--accent: {region.accent_colour};")
    css = ":root { " + " ".join(rules) + " }\n" if rules else ""
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
