"""Receipts and invoices of an order (page, PDF, Factur-X), and paying by invoice for
coordinators and sales-point staff."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required

from marketplace.accounts.models import Role, User
from marketplace.accounts.permissions import (
    can_coordinate,
    can_mark_invoice_paid,
    can_see_invoice,
    role_required,
)
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.orders.views import _own_order
from marketplace.payments import invoice_method, receipts
from marketplace.payments.forms import BillingProfileForm, MarkPaidForm
from marketplace.payments.invoice_models import InvoiceDue

bp = Blueprint("invoices", __name__)


def _locale() -> str:
    return str(get_locale() or "de")


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _own_invoice(invoice_id: int):
    invoice = receipts.get_invoice(invoice_id)
    if invoice is None or not can_see_invoice(current_user, invoice):
        abort(404)
    return invoice


@bp.get("/bestellungen/<int:order_id>/beleg")
@login_required
def receipt(order_id: int):
    order = _own_order(order_id)
    return render_template(
        "payments/receipt.html", order=order, documents=receipts.list_receipt_documents(order.id),
        figures=receipts.figures_of, due=invoice_method.get_invoice_due(order.id),
        amount_due=invoice_method.amount_due_cents(order.id), has_facturx=receipts.has_facturx,
    )


@bp.get("/bestellungen/<int:order_id>/beleg.pdf")
@login_required
def receipt_pdf(order_id: int):
    order = _own_order(order_id)
    documents = receipts.list_receipt_documents(order.id)
    if not documents:
        abort(404)
    return _pdf(receipts.invoices_pdf(documents, locale=_locale()), f"beleg-{order.number}.pdf")


@bp.get("/rechnungen/<int:invoice_id>")
@login_required
def invoice(invoice_id: int):
    document = _own_invoice(invoice_id)
    return render_template("payments/invoice.html", document=document, figures=receipts.figures_of,
                           has_facturx=receipts.has_facturx)


@bp.get("/rechnungen/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int):
    document = _own_invoice(invoice_id)
    return _pdf(receipts.invoices_pdf([document], locale=_locale()), f"{document.display_number}.pdf")


@bp.get("/rechnungen/<int:invoice_id>/factur-x.pdf")
@login_required
def invoice_facturx(invoice_id: int):
    document = _own_invoice(invoice_id)
    if not receipts.has_facturx(document):
        abort(404)
    return _pdf(receipts.facturx_pdf(document, locale=_locale()), f"{document.display_number}-factur-x.pdf")


# -- paying by invoice ----------------------------------------------------------------------------

def _coordinated() -> list[int]:
    return current_user.scopes(Role.COORDINATOR)


@bp.get("/koordination/rechnungskauf")
@role_required(Role.COORDINATOR)
def invoice_customers():
    sub_regions = _coordinated()
    residents = invoice_method.list_residents_of(sub_regions)
    return render_template(
        "payments/invoice_customers.html", residents=residents,
        profiles=invoice_method.get_billing_profiles([r.id for r in residents]),
    )


@bp.get("/rechnungskauf/offen")
@role_required(Role.COORDINATOR, Role.SALES_POINT_STAFF)
def open_invoices():
    dues = invoice_method.list_open_dues(sub_region_ids=_coordinated(),
                                         place_ids=current_user.scopes(Role.SALES_POINT_STAFF))
    return render_template("payments/open_invoices.html", dues=dues, amount_due=invoice_method.amount_due_cents,
                           form=MarkPaidForm(), now=utcnow())


@bp.post("/koordination/rechnungskauf/bewohner/<int:user_id>")
@role_required(Role.COORDINATOR)
def set_billing_profile(user_id: int):
    resident = db.session.get(User, user_id)
    sub_region = resident.home_sub_region if resident is not None else None
    if sub_region is None or not can_coordinate(current_user, sub_region.id):
        abort(404)
    form = BillingProfileForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("invoices.invoice_customers"))
    invoice_method.set_billing_profile(
        resident=resident, may_pay_by_invoice=form.may_pay_by_invoice.data,
        organisation=form.organisation.data, buyer_reference=form.buyer_reference.data,
        actor=current_user, now=utcnow(),
    )
    db.session.commit()
    flash(gettext("Gespeichert: %(name)s.", name=resident.name), "success")
    return redirect(url_for("invoices.invoice_customers"))


@bp.post("/rechnungskauf/<int:due_id>/bezahlt")
@login_required
def mark_paid(due_id: int):
    due = db.session.get(InvoiceDue, due_id)
    if due is None or not can_mark_invoice_paid(current_user, due.order):
        abort(404)
    if not MarkPaidForm().validate():
        abort(400)
    invoice_method.mark_invoice_paid(due=due, actor=current_user, now=utcnow())
    db.session.commit()
    flash(gettext("Bestellung %(number)s ist als bezahlt vermerkt.", number=due.order.number), "success")
    return redirect(url_for("invoices.open_invoices"))
