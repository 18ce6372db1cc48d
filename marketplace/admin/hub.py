"""Assisted ordering at a sales point or Regio-Hub (`/hub`): find or register a resident who
phoned or came by, compose the basket, order for them, print the slip. The rules live in
`payments/assisted.py` and `orders/assisted/queries.py`; these views parse, check, call, commit."""
from __future__ import annotations

import secrets
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.accounts.models import Role, User
from marketplace.accounts.permissions import can_see_assisted_slip, role_required
from marketplace.admin.hub_forms import AssistedOrderForm, NewResidentForm, TakeOverForm
from marketplace.api.auth import Unauthenticated, user_from_token
from marketplace.catalog.queries import CatalogFilter, list_catalog
from marketplace.core.clock import to_local, utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db, login_manager
from marketplace.notifications.slip import slip_pdf
from marketplace.orders import checkout
from marketplace.orders.assisted import queries
from marketplace.orders.forms import option_value, parse_whole_number
from marketplace.orders.models import Order
from marketplace.orders.queries import get_order
from marketplace.payments import assisted
from marketplace.pickup.collection import get_resident_pickup
from marketplace.web.errors import domain_message

bp = Blueprint("hub", __name__, url_prefix="/hub")
SEARCH_RESULTS = 20
ACTION_LABELS = {
    "registered": _l("angelegt, Einwilligung erfasst"), "order_placed": _l("Bestellung aufgegeben"),
    "invited": _l("zum eigenen Konto eingeladen"), "taken_over": _l("Konto selbst übernommen"),
}


def _served_resident(resident_id: int) -> User:
    if not queries.is_served_by(current_user, resident_id):
        abort(404)
    return db.get_or_404(User, resident_id)


@bp.get("")
@role_required(Role.SALES_POINT_STAFF)
def index():
    text = request.args.get("q", "")[:100]
    return render_template(
        "hub/index.html", q=text, residents=queries.find_residents(current_user, text),
        places=queries.staff_pickup_places(current_user),
    )


@bp.route("/kunden/neu", methods=["GET", "POST"])
@role_required(Role.SALES_POINT_STAFF)
def new_resident():
    form = NewResidentForm()
    if request.method == "GET":
        form.text_version.data = assisted.CURRENT_CONSENT_VERSION
    elif form.validate_on_submit():
        try:
            resident = assisted.register_assisted_resident(
                staff=current_user, name=form.name.data, phone=form.phone.data, street=form.street.data,
                postcode=form.postcode.data, town=form.town.data, channel=form.channel.data,
                given_by=form.given_by.data, text_version=form.text_version.data, now=utcnow(),
                nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
            )
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(domain_message(error))
        else:
            db.session.commit()
            return redirect(url_for("hub.resident", resident_id=resident.id))
    consent_text = assisted.CONSENT_TEXTS.get(form.text_version.data or assisted.CURRENT_CONSENT_VERSION, "")
    return render_template("hub/new_resident.html", form=form, consent_text=gettext(consent_text)), \
        422 if request.method == "POST" else 200


@bp.get("/kunden/<int:resident_id>")
@role_required(Role.SALES_POINT_STAFF)
def resident(resident_id: int):
    person = _served_resident(resident_id)
    return render_template(
        "hub/resident.html", resident=person, orders=queries.list_orders_of(person.id),
        actions=queries.list_actions_for(person.id), consent=queries.latest_consent(person.id),
        action_labels=ACTION_LABELS,
    )


@bp.post("/kunden/<int:resident_id>/einladung")
@role_required(Role.SALES_POINT_STAFF)
def invite(resident_id: int):
    person = _served_resident(resident_id)
    if person.email is not None:
        abort(404)  # the account is the resident's own already
    token = assisted.invite_to_take_over(staff=current_user, resident=person,
                                         secret_key=current_app.config["SECRET_KEY"], now=utcnow())
    db.session.commit()
    link = url_for("hub.take_over", token=token, _external=True)
    return render_template("hub/invitation.html", resident=person, link=link)


def _quantities(form_data) -> tuple[dict[int, int], list[str]]:
    """`qty-<product id>` fields → {product id: quantity > 0}, and the messages of bad ones."""
    quantities, problems = {}, []
    for key, text in form_data.items():
        if not key.startswith("qty-") or not text.strip():
            continue
        product_id, quantity = parse_whole_number(key[4:]), parse_whole_number(text)
        if product_id is None or quantity is None or quantity < 0:
            problems.append(gettext("Die Menge muss eine ganze Zahl von 1 bis 999 sein."))
            continue
        if quantity:
            quantities[product_id] = quantity
    return quantities, problems


def _repeated(resident_id: int, order_id: str | None) -> dict[int, int]:
    order = get_order(int(order_id)) if order_id and order_id.isdigit() else None
    if order is None or order.resident_id != resident_id:
        return {}
    return {line.product_id: line.quantity for line in order.lines if line.product_id is not None}


@bp.route("/kunden/<int:resident_id>/bestellen", methods=["GET", "POST"])
@role_required(Role.SALES_POINT_STAFF)
def order(resident_id: int):
    person = _served_resident(resident_id)
    now = utcnow()
    form = AssistedOrderForm()
    if request.method == "POST":
        quantities, problems = _quantities(request.form)
    else:
        quantities, problems = _repeated(person.id, request.args.get("wiederholen")), []
        form.idempotency_key.data = secrets.token_urlsafe(24)
    context = checkout.load_checkout(person.id, quantities)
    basket = None
    if quantities:
        try:
            basket = checkout.price_basket(list(quantities.items()))
        except DomainError as error:
            problems.append(domain_message(error))
    days = checkout.list_open_delivery_days(context.sub_region, now)
    options = checkout.list_fulfilment_options(context, basket, days)
    form.fill_choices(days, options, checkout.list_door_windows(context.sub_region))
    if request.method == "GET":
        form.delivery_date.data = days[0].date.isoformat() if days else None
        allowed = [o for o in options if o.allowed]
        form.fulfilment.data = option_value(allowed[0]) if allowed else None
    wants_order = request.form.get("action") == "order"
    if wants_order and not quantities and not problems:
        problems.append(gettext("Bitte wählen Sie mindestens ein Produkt."))
    if wants_order and not problems and form.validate_on_submit():
        try:
            placed, _ = assisted.place_assisted_order(
                staff=current_user, resident=person, now=now, payment_method=form.payment_method.data,
                items=list(quantities.items()), delivery_date=date.fromisoformat(form.delivery_date.data),
                fulfilment=form.fulfilment_choice(), idempotency_key=form.idempotency_key.data,
                nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
            )
        except DomainError as error:
            db.session.rollback()
            problems.append(domain_message(error))
        else:
            db.session.commit()
            return redirect(url_for("hub.slip", order_id=placed.id))
    found = list_catalog(CatalogFilter(q=form.q.data, near=context.home), per_page=SEARCH_RESULTS).items \
        if (form.q.data or "").strip() else []
    chosen = [context.products[pid] for pid in quantities if pid in context.products]
    shown_ids = {p.id for p in chosen}
    return render_template(
        "hub/order.html", resident=person, form=form, days=days, options=options, basket=basket,
        quantities=quantities, chosen=chosen, found=[i.product for i in found if i.product.id not in shown_ids],
        problems=problems, option_value=option_value,
        orders=queries.list_orders_of(person.id, limit=5),
    ), 422 if problems or wants_order else 200  # an order asked for and not placed


# -- the order slip: the staff member who placed the order, by web session or bearer token ---------

def _slip_order(order_id: int) -> Order:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_from_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:  # a wrong token is refused as the API refuses it
            abort(make_response(jsonify(Unauthenticated().to_dict()), 401))
    elif current_user.is_authenticated:
        user = current_user
    else:
        abort(login_manager.unauthorized())  # to the login, and back here afterwards
    found = get_order(order_id)
    if found is None or not can_see_assisted_slip(user, found):
        abort(404)
    return found


def _slip_lines(found: Order, pickup) -> list[str]:
    lines = [
        gettext("Bestellung %(number)s", number=found.number),
        gettext("Liefertag: %(day)s", day=found.delivery_date.strftime("%d.%m.%Y")),
        gettext("Abholen: %(place)s", place=found.pickup_place.name) if found.pickup_place
        else gettext("Lieferung an: %(street)s, %(town)s", street=found.door_street or found.resident.street or "",
                     town=found.door_town or found.resident.town or ""),
    ]
    lines += [f"{line.quantity} × {line.product_name}" for line in found.lines]
    lines.append(gettext("Summe: %(total)s", total=f"{found.total_cents / 100:.2f} €".replace(".", ",")))
    if pickup is not None:
        lines.append(gettext("Abholcode: %(code)s", code=pickup.code))
        if pickup.compartments:
            lines.append(gettext("Fach: %(labels)s", labels=", ".join(pickup.compartments)))
        lines.append(gettext("Abholen bis: %(when)s", when=to_local(pickup.collect_by).strftime("%d.%m.%Y %H:%M")))
    return lines


@bp.get("/bestellungen/<int:order_id>/zettel")
def slip(order_id: int):
    found = _slip_order(order_id)
    return render_template("hub/slip.html", order=found, pickup=get_resident_pickup(found, now=utcnow()))


@bp.get("/bestellungen/<int:order_id>/zettel.pdf")
def slip_as_pdf(order_id: int):
    found = _slip_order(order_id)
    body = slip_pdf(title=gettext("Ihre Bestellung bei Landkorb"), recipient=found.resident.name,
                    lines=_slip_lines(found, get_resident_pickup(found, now=utcnow())),
                    footer=gettext("Bestellt für Sie von %(name)s", name=found.placed_by.name))
    return body, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f'inline; filename="landkorb-{found.number}.pdf"'}


# -- taking the account over ---------------------------------------------------------------------

@bp.route("/konto-uebernehmen/<token>", methods=["GET", "POST"])
def take_over(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        person = assisted.resident_of_invitation(token, secret_key=secret)
    except DomainError:
        return render_template("hub/take_over_invalid.html"), 404
    form = TakeOverForm()
    if form.validate_on_submit():
        try:
            assisted.take_over_account(token=token, email=form.email.data, password=form.password.data,
                                       secret_key=secret, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(domain_message(error))
        else:
            db.session.commit()
            return redirect(url_for("accounts.login"))
    return render_template("hub/take_over.html", form=form, resident=person), \
        422 if request.method == "POST" else 200
