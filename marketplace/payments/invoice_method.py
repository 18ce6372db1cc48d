"""Paying by invoice: for residents the coordinator allows, due in 14 days, reminded once, marked
paid by the coordinator or the sales point's staff.

Like pay on pickup, nothing moves online: the order is confirmed at once (and its invoices are
issued with it, `payments/invoices.py`), and what it owes is an `InvoiceDue`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from marketplace.accounts.models import Membership, Role, User
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.notices import notify_order
from marketplace.orders.transitions import move_order
from marketplace.payments import credit_notes  # noqa: F401  (its cancellation hook)
from marketplace.payments.invoice_models import BillingProfile, Invoice, InvoiceDue, InvoiceKind
from marketplace.payments.providers import (
    NextAction,
    PaymentMethodUnavailable,
    PaymentStart,
    register_provider,
)
from marketplace.regions.models import Municipality, Place

DUE_AFTER = timedelta(days=14)

register_kind("invoice_reminder", sample={
    "order_number": "LK-WXYZ-ABCD", "resident_name": "Hildegard Müller-Lüdenscheidt",
    "amount_cents": 123456, "due_date": "2026-12-30",
})


class AlreadyPaid(Conflict):
    code = "already_paid"
    message = N_("Diese Rechnung ist schon als bezahlt vermerkt.")


def may_pay_by_invoice(user_id: int) -> bool:
    profile = db.session.get(BillingProfile, user_id)
    return profile is not None and profile.may_pay_by_invoice


def set_billing_profile(*, resident: User, may_pay_by_invoice: bool, organisation: str | None,
                        buyer_reference: str | None, actor: User | None, now: datetime) -> BillingProfile:
    """Allow or stop paying by invoice, and name the organisation a resident buys for; flushes."""
    profile = db.session.get(BillingProfile, resident.id)
    if profile is None:
        profile = BillingProfile(user_id=resident.id)
        db.session.add(profile)
    profile.may_pay_by_invoice = bool(may_pay_by_invoice)
    profile.organisation = (organisation or "").strip() or None
    profile.buyer_reference = (buyer_reference or "").strip() or None
    profile.updated_at = now
    profile.updated_by_id = actor.id if actor is not None else None
    db.session.flush()
    return profile


class InvoiceMethod:
    """Pay by invoice within 14 days: the promise is the payment, as with pay on pickup."""

    method = PaymentMethod.INVOICE

    def offers(self, *, fulfilment, resident: User | None) -> bool:
        """Wherever the goods go, to residents the coordinator allows."""
        return resident is not None and may_pay_by_invoice(resident.id)

    def is_configured(self) -> bool:
        return True

    def start_payment(self, order: Order, *, now: datetime, actor: User | None = None) -> PaymentStart:
        if order.status == OrderStatus.PLACED:
            if not may_pay_by_invoice(order.resident_id):
                raise PaymentMethodUnavailable()
            move_order(order, OrderStatus.CONFIRMED, now=now, actor=actor, kind="confirmed", note="invoice")
            db.session.add(InvoiceDue(order_id=order.id, due_at=now + DUE_AFTER))
            notify_order(order, "order_confirmed", now=now)
            db.session.flush()
        return PaymentStart(self.method, NextAction.NONE)


def amount_due_cents(order_id: int) -> int:
    """What the resident owes: their invoices less the credit notes on them."""
    billed = db.session.scalar(select(func.coalesce(func.sum(Invoice.total_cents), 0)).where(
        Invoice.order_id == order_id, Invoice.kind.in_((InvoiceKind.SALE, InvoiceKind.DELIVERY)),
    ))
    credited = db.session.scalar(
        select(func.coalesce(func.sum(Invoice.total_cents), 0))
        .where(Invoice.order_id == order_id, Invoice.kind == InvoiceKind.CREDIT_NOTE,
               Invoice.buyer_user_id.is_not(None))
    )
    return billed - credited


def get_invoice_due(order_id: int) -> InvoiceDue | None:
    return db.session.scalar(select(InvoiceDue).where(InvoiceDue.order_id == order_id))


def mark_invoice_paid(*, due: InvoiceDue, actor: User, now: datetime) -> InvoiceDue:
    """Note that the resident has paid; refuses a second time (the first stays)."""
    done = db.session.execute(
        update(InvoiceDue).where(InvoiceDue.id == due.id, InvoiceDue.paid_at.is_(None))
        .values(paid_at=now, paid_by_id=actor.id)
    ).rowcount
    if done != 1:
        raise AlreadyPaid()
    db.session.refresh(due)
    return due


def remind_overdue_invoices(*, now: datetime) -> int:
    """Remind each resident once of an invoice past its due date; returns how many were reminded.

    The row is claimed by a guarded UPDATE, so two ticks at once remind once; flushes, the
    job's run commits."""
    candidates = db.session.scalars(
        select(InvoiceDue).join(Order, Order.id == InvoiceDue.order_id).where(
            InvoiceDue.paid_at.is_(None), InvoiceDue.reminded_at.is_(None), InvoiceDue.due_at <= now,
            Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.EXPIRED)),
        ).order_by(InvoiceDue.id).limit(500)
    ).all()
    reminded = 0
    for due in candidates:
        claimed = db.session.execute(
            update(InvoiceDue).where(InvoiceDue.id == due.id, InvoiceDue.reminded_at.is_(None))
            .values(reminded_at=now)
        ).rowcount
        if claimed != 1:
            continue
        order = due.order
        amount = amount_due_cents(order.id)
        if amount > 0:
            notify(order.resident, "invoice_reminder", {
                "order_number": order.number, "resident_name": order.resident.name,
                "amount_cents": amount, "due_date": due.due_at.date().isoformat(),
            }, order_id=order.id, now=now)
            reminded += 1
    db.session.flush()
    return reminded


def list_open_dues(*, sub_region_ids: list[int], place_ids: list[int]) -> list[InvoiceDue]:
    """Unpaid invoice orders of these sub-regions (a coordinator's) or going to these places
    (a sales point's staff), the longest due first."""
    return list(db.session.scalars(
        select(InvoiceDue).join(Order, Order.id == InvoiceDue.order_id)
        .where(or_(Order.sub_region_id.in_(sub_region_ids), Order.pickup_place_id.in_(place_ids)),
               InvoiceDue.paid_at.is_(None),
               Order.status.not_in((OrderStatus.CANCELLED, OrderStatus.EXPIRED)))
        .order_by(InvoiceDue.due_at, InvoiceDue.id)
    ))


def list_residents_of(sub_region_ids: list[int]) -> list[User]:
    """The residents living in these sub-regions, by name."""
    return list(db.session.scalars(
        select(User).join(Place, Place.id == User.home_place_id)
        .join(Municipality, Municipality.id == Place.municipality_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Municipality.sub_region_id.in_(sub_region_ids), Membership.role == Role.RESIDENT)
        .order_by(User.name, User.id)
    ))


def get_billing_profiles(user_ids: list[int]) -> dict[int, BillingProfile]:
    return {p.user_id: p for p in db.session.scalars(
        select(BillingProfile).where(BillingProfile.user_id.in_(user_ids)))}


register_provider(InvoiceMethod())
