"""Paying online (the pay page, the return page that waits for the webhook), Stripe's webhook,
the producer's payout account and the coordinator's list of producers waiting for payouts."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import can_see_order, role_required
from marketplace.catalog.portal import own_producer
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import csrf, db
from marketplace.orders import queries as order_queries
from marketplace.payments import payouts
from marketplace.payments.fake_gateway import FakeGateway
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import PaymentStatus
from marketplace.payments.online import get_payment
from marketplace.payments.queries import list_flagged_payments
from marketplace.payments.webhooks import receive_webhook
from marketplace.web.errors import domain_message, problem

bp = Blueprint("payments", __name__)

STRIPE_JS = "https://js.stripe.com/v3/"


def _own_payment(order_id: int):
    order = order_queries.get_order(order_id)
    if order is None or not can_see_order(current_user, order):
        abort(404)
    payment = get_payment(order.id)
    if payment is None:
        abort(404)
    return order, payment


def _fake_mode() -> bool:
    return isinstance(get_gateway(), FakeGateway)


@bp.get("/bestellungen/<int:order_id>/bezahlen")
@login_required
def pay(order_id: int):
    order, payment = _own_payment(order_id)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) or payment.expires_at <= utcnow():
        return redirect(url_for("payments.waiting", order_id=order.id))
    response = current_app.make_response(render_template(
        "payments/pay.html", order=order, payment=payment, fake=_fake_mode(),
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"), stripe_js=STRIPE_JS,
    ))
    if not _fake_mode():
        # Stripe.js and its Payment Element run from Stripe's own origin (their terms).
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self' https://js.stripe.com; "
            "frame-src https://js.stripe.com https://hooks.stripe.com; connect-src 'self' https://api.stripe.com; "
            "img-src 'self' data: https://*.stripe.com; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        )
    return response


@bp.post("/bestellungen/<int:order_id>/bezahlen/test")
@login_required
def fake_confirm(order_id: int):
    """Fake mode only (tests, no Stripe.js offline): what Stripe.js would do with the card."""
    if not _fake_mode():
        abort(404)
    order, payment = _own_payment(order_id)
    try:
        get_gateway().confirm(payment.intent_id, card=(request.form.get("card") or "").replace(" ", ""))
    except GatewayError as error:
        flash(str(error), "error")
    return redirect(url_for("payments.waiting", order_id=order.id))


@bp.get("/bestellungen/<int:order_id>/zahlung")
@login_required
def waiting(order_id: int):
    order, payment = _own_payment(order_id)
    return render_template("payments/waiting.html", order=order, payment=payment, now=utcnow())


@bp.get("/bestellungen/<int:order_id>/zahlung.json")
@login_required
def payment_state(order_id: int):
    order, payment = _own_payment(order_id)
    return {"order_status": order.status.value, "payment_status": payment.status.value,
            "expires_at": payment.expires_at.isoformat()}


@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    try:
        outcome = receive_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature"),
            secret=current_app.config.get("STRIPE_WEBHOOK_SECRET"), now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        return problem(error.code, domain_message(error), error.status)
    db.session.commit()
    return jsonify({"received": True, "outcome": outcome})


# -- producers: the payout account ------------------------------------------------------------

@bp.get("/me/producer/payout-account")
@role_required(Role.PRODUCER)
def payout_account():
    producer = own_producer()
    return render_template("payments/payout_account.html", producer=producer,
                           account=payouts.get_account(producer.id), online=get_gateway() is not None)


@bp.post("/me/producer/payout-account")
@role_required(Role.PRODUCER)
def start_onboarding():
    producer = own_producer()
    try:
        url = payouts.start_onboarding(
            producer=producer, email=current_user.email, now=utcnow(),
            refresh_url=url_for("payments.payout_account", _external=True),
            return_url=url_for("payments.onboarding_done", _external=True),
        )
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("payments.payout_account"))
    db.session.commit()
    return redirect(url)


@bp.get("/me/producer/payout-account/done")
@role_required(Role.PRODUCER)
def onboarding_done():
    producer = own_producer()
    try:
        account = payouts.refresh_account(producer_id=producer.id, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("payments.payout_account"))
    db.session.commit()
    if account is not None and account.is_ready:
        flash(gettext("Ihr Auszahlungskonto ist eingerichtet."), "success")
    return redirect(url_for("payments.payout_account"))


# -- coordinators: who cannot be paid yet, and payments to look at ---------------------------

@bp.get("/me/coordinator/payouts")
@role_required(Role.COORDINATOR)
def coordinator_payouts():
    sub_region_ids = current_user.scopes(Role.COORDINATOR)
    return render_template(
        "payments/coordinator_payouts.html",
        waiting=payouts.list_producers_without_account(sub_region_ids),
        flagged=list_flagged_payments(sub_region_ids),
    )
