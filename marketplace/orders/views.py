"""Shop pages of ordering: basket, checkout, confirmation, my orders, cancel."""
from __future__ import annotations

import secrets
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from marketplace.accounts.permissions import can_see_order, can_see_pickup_code
from marketplace.catalog.queries import get_shop_product
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.delivery.queries import get_expected_arrival
from marketplace.extensions import db
from marketplace.notifications.services import how_told
from marketplace.orders import checkout, queries, services
from marketplace.orders.checkout.options import vat_of_order
from marketplace.orders.forms import AddToCartForm, CheckoutForm, QuantityForm, option_value
from marketplace.orders.models import PaymentMethod
from marketplace.payments.invoice_method import get_invoice_due
from marketplace.payments.providers import PaymentMethodUnavailable, first_offered_method, methods_by_kind
from marketplace.payments.services import cancel_and_refund, submit_order
from marketplace.pickup.collection import get_resident_pickup
from marketplace.pickup.reservations import NoRoom
from marketplace.web.errors import domain_message
from marketplace.web.filters import number

bp = Blueprint("orders", __name__)

# Which checkout field a refusal of the order services belongs to.
_DAY_ERRORS = (checkout.CutoffPassed, checkout.NotADeliveryDay, checkout.ProductUnavailable)
_PLACE_ERRORS = (
    checkout.ColdChainBroken, checkout.PickupPlaceUnavailable, checkout.WrongSubRegion,
    checkout.DoorNotOffered, checkout.BelowDoorMinimum, checkout.InvalidFulfilment,
    checkout.PickupPlaceClosed, checkout.AddressNotFound, checkout.AddressOutsideSubRegion, NoRoom,
)


def _safe_next(target: str | None, fallback: str) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return fallback


# -- the basket -----------------------------------------------------------------------------

def _render_cart(*, status: int = 200, errors: dict[int, tuple[str, str]] | None = None):
    cart = queries.get_cart_of(current_user.id)
    items = list(cart.items) if cart else []
    basket, problem = None, None
    if items:
        try:
            basket = checkout.price_basket([(i.product_id, i.quantity) for i in items])
        except DomainError as error:
            problem = domain_message(error)
    by_producer: dict = {}
    for item in items:
        by_producer.setdefault(item.product.producer, []).append(item)
    return render_template(
        "orders/cart.html", by_producer=by_producer, basket=basket, problem=problem,
        errors=errors or {}, form=QuantityForm(),
    ), status


@bp.get("/warenkorb")
def cart():
    if not current_user.is_authenticated:
        return render_template("orders/cart_anonymous.html")
    return _render_cart()


@bp.route("/warenkorb/hinzufuegen", methods=["GET", "POST"])
@login_required
def cart_add():
    form = AddToCartForm()
    if request.method == "GET":
        return redirect(url_for("orders.cart"))
    product_id = parse_product_id(form.product_id.data)
    if form.validate_on_submit() and product_id is not None:
        try:
            services.add_to_cart(user=current_user, product_id=product_id, quantity=form.value)
        except DomainError as error:
            db.session.rollback()
            form.quantity.errors = [*form.quantity.errors, domain_message(error)]
        else:
            db.session.commit()
            flash(gettext("In den Warenkorb gelegt."), "success")
            return redirect(_safe_next(form.next.data, url_for("orders.cart")))
    elif product_id is None:
        abort(404)
    product = get_shop_product(product_id)
    if product is None:
        abort(404)
    return render_template("orders/add.html", form=form, product=product), 422


def parse_product_id(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 12 else None


@bp.post("/warenkorb/<int:product_id>")
@login_required
def cart_update(product_id: int):
    form = QuantityForm()
    if form.validate_on_submit():
        try:
            services.set_cart_quantity(user=current_user, product_id=product_id, quantity=form.value)
        except DomainError as error:
            db.session.rollback()
            return _render_cart(status=422, errors={product_id: (form.quantity.data, domain_message(error))})
        db.session.commit()
        flash(gettext("Menge geändert."), "success")
        return redirect(url_for("orders.cart"))
    message = form.quantity.errors[0] if form.quantity.errors else gettext("Die Eingabe ist ungültig.")
    return _render_cart(status=422, errors={product_id: (form.quantity.data or "", message)})


@bp.post("/warenkorb/<int:product_id>/entfernen")
@login_required
def cart_remove(product_id: int):
    services.remove_from_cart(user=current_user, product_id=product_id)
    db.session.commit()
    flash(gettext("Aus dem Warenkorb entfernt."), "success")
    return redirect(url_for("orders.cart"))


# -- checkout -------------------------------------------------------------------------------

def _place_order(form, items, now):
    """Submit the checkout form; None when the order was placed, else the field errors are set."""
    try:
        order, _ = submit_order(
            resident=current_user, items=items, now=now,
            delivery_date=date.fromisoformat(form.delivery_date.data),
            fulfilment=form.fulfilment_choice(),
            payment_method=form.payment_method.data or first_offered_method(
                current_user, form.fulfilment.data.partition(":")[0]),
            idempotency_key=form.idempotency_key.data,
            nominatim_user_agent=current_app.config.get("NOMINATIM_USER_AGENT"),
        )
    except DomainError as error:
        message = domain_message(error)
        if isinstance(error, NoRoom) and error.alternatives:  # named before the rollback expires them
            message = " ".join((message, gettext("Noch Platz: %(places)s.", places=", ".join(
                gettext("%(place)s (%(km)s km)", place=a.place.name, km=number(a.distance_km))
                for a in error.alternatives))))
        db.session.rollback()
        field = (
            form.delivery_date if isinstance(error, _DAY_ERRORS)
            else form.fulfilment if isinstance(error, _PLACE_ERRORS)
            else form.payment_method if isinstance(error, PaymentMethodUnavailable) else None
        )
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
        return None
    services.clear_cart(current_user)
    db.session.commit()
    return order


def load_basket_checkout(items):
    """The checkout's context and prices of the basket `items`, or the page to show instead (no
    address in the region, a product no longer orderable) as the third value."""
    try:
        context = checkout.load_checkout(current_user.id, [product_id for product_id, _ in items])
        basket = checkout.price_basket(items)
    except checkout.NoHomeAddress:
        return None, None, render_template("orders/no_address.html")
    except DomainError as error:
        flash(domain_message(error), "error")
        return None, None, redirect(url_for("orders.cart"))
    return context, basket, None


@bp.route("/kasse", methods=["GET", "POST"])
@login_required
def checkout_page():
    now = utcnow()
    items = services.cart_items(current_user)
    if not items:
        flash(gettext("Ihr Warenkorb ist leer."), "info")
        return redirect(url_for("orders.cart"))
    context, basket, refusal = load_basket_checkout(items)
    if refusal is not None:
        return refusal
    days = checkout.list_open_delivery_days(context.sub_region, now)
    options = checkout.list_fulfilment_options(context, basket, days)
    form = CheckoutForm()
    form.fill_choices(days, options, checkout.list_door_windows(context.sub_region))
    methods = methods_by_kind(context.sub_region.id, {o.kind for o in options}, current_user)
    form.payment_method.choices = [(str(m), str(m)) for m in methods]
    if request.method == "GET":
        form.payment_method.data = next(iter(methods), None)
        form.idempotency_key.data = secrets.token_urlsafe(24)
        form.delivery_date.data = days[0].date.isoformat() if days else None
        selected = days[0].date if days else None
        open_ = [o for o in options if o.allowed and selected not in o.closed_days and selected not in o.full_days]
        form.fulfilment.data = option_value(open_[0]) if open_ else None
    elif form.validate_on_submit():
        order = _place_order(form, items, now)
        if order is not None and order.payment_method == PaymentMethod.STRIPE:
            return redirect(url_for("payments.pay", order_id=order.id))
        if order is not None:
            return redirect(url_for("orders.confirmation", order_id=order.id))
    reasons = {option_value(o): _reason(o) for o in options if not o.allowed}
    return render_template(
        "orders/checkout.html", form=form, days=days, options=options, basket=basket,
        option_value=option_value, reasons=reasons, selected_day=_selected_day(form), methods=methods,
    ), 422 if request.method == "POST" else 200


def _selected_day(form) -> date | None:
    try:
        return date.fromisoformat(form.delivery_date.data or "")
    except ValueError:
        return None


def _reason(option) -> str:
    text = gettext(option.reason or "Die Aktion ist nicht möglich.")
    try:
        return text % option.reason_params if option.reason_params else text
    except (KeyError, TypeError, ValueError):
        return text


# -- after ordering ---------------------------------------------------------------------------

def _own_order(order_id: int):
    order = queries.get_order(order_id)
    if order is None or not can_see_order(current_user, order):
        abort(404)
    return order


@bp.get("/bestellungen/<int:order_id>/danke")
@login_required
def confirmation(order_id: int):
    order = _own_order(order_id)
    return render_template(
        "orders/confirmation.html", order=order, vat=vat_of_order(order), told=how_told(order.resident),
        due=get_invoice_due(order.id),
    )


@bp.get("/bestellungen")
@login_required
def my_orders():
    orders = queries.list_orders_of_resident(current_user.id)
    return render_template("orders/list.html", orders=orders, now=utcnow())


@bp.get("/bestellungen/<int:order_id>")
@login_required
def detail(order_id: int):
    order = _own_order(order_id)
    return render_template(
        "orders/detail.html", order=order, vat=vat_of_order(order),
        can_cancel=services.can_cancel(order, utcnow()), now=utcnow(), told=how_told(order.resident),
        pickup=get_resident_pickup(order, now=utcnow()) if can_see_pickup_code(current_user, order) else None,
        expected=get_expected_arrival(order.id),
    )


@bp.route("/bestellungen/<int:order_id>/stornieren", methods=["GET", "POST"])
@login_required
def cancel(order_id: int):
    order = _own_order(order_id)
    if request.method == "GET":
        return render_template("orders/cancel.html", order=order,
                               can_cancel=services.can_cancel(order, utcnow()))
    # CSRFProtect has already refused a POST without a valid token (400).
    try:
        cancel_and_refund(order=order, actor=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if isinstance(error, checkout.CutoffPassed):
            flash(gettext(
                "Der Bestellschluss für diesen Liefertag ist vorbei. Die Erzeuger packen schon; "
                "stornieren ist nicht mehr möglich."
            ), "error")
        else:
            flash(domain_message(error), "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    db.session.commit()
    flash(gettext("Die Bestellung %(number)s ist storniert.", number=order.number), "success")
    return redirect(url_for("orders.detail", order_id=order.id))
