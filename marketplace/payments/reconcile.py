"""Reconciliation: succeeded PaymentIntents against paid orders, transfers against delivered lines.

`reconcile(since=…, now=…)` (the CLI `payments reconcile --since 72h`, daily from `jobs tick`)
applies what the gateway says to payments a webhook never reached (as the webhook would:
`apply_intent`), refunds money without an order, and lists every mismatch, and every refund
owed for longer than `OWED_TOO_LONG` (whatever `since` says); the region admins get the
findings of their region as a notification.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from marketplace.accounts.models import Membership, Role, User
from marketplace.extensions import db
from marketplace.notifications.kinds import register_kind
from marketplace.notifications.services import notify
from marketplace.orders.models import Order
from marketplace.payments.fees import platform_fee
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import Payment, PaymentStatus, Refund, RefundStatus, Transfer, TransferStatus
from marketplace.payments.online import apply_intent, get_payment_by_intent, refund_orphan
from marketplace.payments.payouts import DELIVERED, delivered_goods_cents
from marketplace.regions.models import Region

register_kind("payments_reconciliation", sample={
    "region_name": "Landkreis Mayen-Koblenz mit Verbandsgemeinde Vordereifel", "count": 12,
    "findings": [{"kind": "succeeded_without_paid_order", "order_number": "LK-ABCD-EFGH",
                  "detail": "pi_3PqTestTestTestTest: succeeded, payment pending"}],
})


# A refund the job `make_owed_refunds` has not made for this long needs a person: the gateway
# has been away as long, or it refuses the refund (`Refund.last_error` says what it said).
OWED_TOO_LONG = timedelta(hours=24)


@dataclass(frozen=True)
class Finding:
    kind: str
    order_number: str | None
    detail: str
    region_id: int | None = None


def _intents(gateway, since: datetime) -> list[Finding]:
    findings = []
    for intent in gateway.list_intents(created_after=int(since.timestamp())):
        if intent.status != "succeeded":
            continue
        payment = get_payment_by_intent(intent.id, lock=True)
        number = intent.metadata.get("order_number")
        if payment is None:
            refund_orphan(gateway, intent)
            findings.append(Finding("succeeded_without_order", number, f"{intent.id}: refunded"))
            continue
        region_id = payment.order.sub_region.region_id
        if payment.status != PaymentStatus.SUCCEEDED:
            outcome = apply_intent(payment, intent, now=payment.updated_at, source="reconcile")
            findings.append(Finding("succeeded_without_paid_order", number,
                                    f"{intent.id}: {outcome} by reconciliation", region_id))
        if payment.flag:
            findings.append(Finding("amount_mismatch", number, payment.flag, region_id))
    return findings


def _paid_orders(gateway, since: datetime) -> list[Finding]:
    findings = []
    payments = db.session.scalars(select(Payment).where(
        Payment.status == PaymentStatus.SUCCEEDED, Payment.created_at >= since).order_by(Payment.id)).all()
    for payment in payments:
        intent = gateway.get_intent(payment.intent_id)
        if intent.status != "succeeded" or (intent.amount_received or intent.amount) != payment.captured_cents:
            findings.append(Finding("paid_order_without_succeeded_intent", payment.order.number,
                                    f"{intent.id}: {intent.status} {intent.amount_received}",
                                    payment.order.sub_region.region_id))
    return findings


def _refund_count(order_id: int, producer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Refund).join(Payment).where(
        Payment.order_id == order_id, Refund.producer_id == producer_id))


def _transfers(since: datetime) -> list[Finding]:
    findings = []
    orders = db.session.scalars(select(Order).join(Payment, Payment.order_id == Order.id).where(
        Order.status.in_(DELIVERED), Payment.status == PaymentStatus.SUCCEEDED, Order.created_at >= since,
    ).order_by(Order.id)).all()
    for order in orders:
        transfers = {t.producer_id: t for t in db.session.scalars(
            select(Transfer).where(Transfer.order_id == order.id))}
        region = order.sub_region.region
        for producer_order in order.producer_orders:
            transfer = transfers.get(producer_order.producer_id)
            goods = delivered_goods_cents(order.id, producer_order.producer_id)
            name = producer_order.producer.name
            if transfer is None:
                findings.append(Finding("transfer_missing", order.number, name, region.id))
            elif transfer.status == TransferStatus.WAITING:
                findings.append(Finding("transfer_waiting_for_account", order.number, name, region.id))
            else:
                expected = goods - platform_fee(goods, region)
                paid = transfer.amount_cents - transfer.reversed_cents
                # Each reversal rounds its fee on its own: a cent per refund is rounding.
                if abs(paid - expected) > _refund_count(order.id, producer_order.producer_id):
                    findings.append(Finding("transfer_amount_differs", order.number,
                                            f"{name}: {paid} ≠ {expected}", region.id))
    return findings


def _owed_refunds(now: datetime) -> list[Finding]:
    rows = db.session.execute(select(Refund, Order).join(Payment, Payment.id == Refund.payment_id)
                              .join(Order, Order.id == Payment.order_id).where(
        Refund.status == RefundStatus.OWED, Refund.created_at <= now - OWED_TOO_LONG,
    ).order_by(Refund.id)).all()
    return [Finding("refund_owed", order.number,
                    f"{refund.amount_cents} cents ({refund.key}) owed since {refund.created_at.isoformat()}: "
                    f"{refund.last_error or '-'}", order.sub_region.region_id)
            for refund, order in rows]


def _tell_admins(findings: list[Finding], *, now: datetime) -> int:
    by_region: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.region_id is not None:
            by_region[finding.region_id].append(finding)
    told = 0
    for region_id, items in by_region.items():
        admins = db.session.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.role == Role.ADMIN, Membership.region_id == region_id).order_by(User.id)).all()
        region_name = db.session.get(Region, region_id).name
        for admin in admins:
            notify(admin, "payments_reconciliation", {
                "region_name": region_name, "count": len(items),
                "findings": [{k: v for k, v in asdict(f).items() if k != "region_id"} for f in items],
            }, now=now)
            told += 1
    return told


def reconcile(*, since: timedelta, now: datetime, tell: bool = True) -> list[Finding]:
    """Every mismatch of the last `since`; fixes what the gateway settles. Flushes; caller commits."""
    gateway = get_gateway()
    if gateway is None:
        return []
    start = now - since
    findings = _intents(gateway, start) + _paid_orders(gateway, start) + _transfers(start) + _owed_refunds(now)
    db.session.flush()
    if tell:
        _tell_admins(findings, now=now)
    return findings
