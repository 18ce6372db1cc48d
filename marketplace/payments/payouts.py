"""Producers paid through Stripe Connect: Express onboarding, and one Transfer per producer and
order once the order is delivered (separate charges and transfers).

A transfer is the producer's goods (its lines with the short units counted back in) minus what
was refunded for them (short units, goods not collected) minus the platform fee, with
`source_transaction` = the order's charge and `transfer_group` = the order number. Its row is
written first (unique per order and producer) and sent with an idempotency key of the order and
producer, so a retry after a crash sends nothing twice. A producer without a ready account gets
a waiting row, listed for the coordinator, sent by the next run after it has onboarded.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from marketplace.catalog.models import Producer
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus, ProducerOrder
from marketplace.payments.corrections import refund_weight_differences
from marketplace.payments.fees import platform_fee
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import (
    Payment,
    PaymentStatus,
    ProducerAccount,
    Refund,
    Transfer,
    TransferStatus,
)
from marketplace.payments.online import CURRENCY, PaymentUnavailable
from marketplace.payments.refunds import WEIGHT_REASON

# The order has reached its place (or the door): the producers have delivered their goods.
DELIVERED = (OrderStatus.DELIVERED, OrderStatus.PICKED_UP, OrderStatus.NOT_COLLECTED, OrderStatus.RETURNED)


class NoOnlinePayments(Conflict):
    code = "payments_not_configured"
    message = N_("Online-Zahlungen sind nicht eingerichtet.")


def get_account(producer_id: int) -> ProducerAccount | None:
    return db.session.scalars(select(ProducerAccount).where(ProducerAccount.producer_id == producer_id)).first()


def start_onboarding(*, producer: Producer, email: str | None, refresh_url: str, return_url: str,
                     now: datetime) -> str:
    """The producer's Express account (created once) and a fresh onboarding link to Stripe."""
    gateway = get_gateway()
    if gateway is None:
        raise NoOnlinePayments()
    account = get_account(producer.id)
    try:
        if account is None:
            account_id = gateway.create_account(
                email=email, metadata={"producer_id": str(producer.id), "producer": producer.slug},
                idempotency_key=f"landkorb-producer-{producer.id}-account",
            )
            account = ProducerAccount(producer_id=producer.id, stripe_account_id=account_id, updated_at=now)
            db.session.add(account)
            db.session.flush()
        return gateway.account_link(account_id=account.stripe_account_id, refresh_url=refresh_url,
                                    return_url=return_url)
    except GatewayError:
        raise PaymentUnavailable() from None


def _refresh(account: ProducerAccount, *, now: datetime) -> ProducerAccount:
    state = get_gateway().get_account(account.stripe_account_id)
    account.details_submitted, account.payouts_enabled = state.details_submitted, state.payouts_enabled
    account.updated_at = now
    db.session.flush()
    return account


def refresh_account(*, producer_id: int, now: datetime) -> ProducerAccount | None:
    """Read the account's state from Stripe (the return from onboarding, `account.updated`)."""
    account = get_account(producer_id)
    if account is None or get_gateway() is None:
        return account
    try:
        return _refresh(account, now=now)
    except GatewayError:
        raise PaymentUnavailable() from None


def refresh_account_by_id(stripe_account_id: str, *, now: datetime) -> str:
    account = db.session.scalars(
        select(ProducerAccount).where(ProducerAccount.stripe_account_id == stripe_account_id)
    ).first()
    if account is None:
        return "unknown_account"
    _refresh(account, now=now)
    return "account_ready" if account.is_ready else "account_pending"


def delivered_goods_cents(order_id: int, producer_id: int) -> int:
    """A producer's goods in an order minus what was refunded for them. The lines count with their
    short units, which their refunds take off (otherwise they would be left out twice), and at
    their weighed price, which the weight's refund does not take off again."""
    ordered = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.total_cents + OrderLine.short_cents), 0))
        .join(ProducerOrder, ProducerOrder.id == OrderLine.producer_order_id)
        .where(OrderLine.order_id == order_id, ProducerOrder.producer_id == producer_id))
    refunded = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_cents), 0)).join(Payment).where(
        Payment.order_id == order_id, Refund.producer_id == producer_id, Refund.reason != WEIGHT_REASON,
    ))
    return max(ordered - refunded, 0)


def _create_transfers(order: Order, payment: Payment, *, now: datetime) -> list[Transfer]:
    region = order.sub_region.region
    created = []
    for producer_order in order.producer_orders:
        goods = delivered_goods_cents(order.id, producer_order.producer_id)
        fee = platform_fee(goods, region)
        transfer = Transfer(order_id=order.id, producer_id=producer_order.producer_id, payment_id=payment.id,
                            goods_cents=goods, fee_cents=fee, amount_cents=goods - fee, created_at=now)
        db.session.add(transfer)
        created.append(transfer)
    db.session.flush()
    return created


def send_transfer(transfer: Transfer, *, now: datetime) -> bool:
    """Send a waiting transfer when its producer's account is ready; True when sent."""
    if transfer.status == TransferStatus.SENT:
        return False
    account = get_account(transfer.producer_id)
    if account is None or not account.is_ready:
        return False
    if transfer.amount_cents == 0:
        transfer.status, transfer.sent_at = TransferStatus.SENT, now
        return True
    transfer.stripe_transfer_id = get_gateway().transfer(
        amount=transfer.amount_cents, currency=CURRENCY, destination=account.stripe_account_id,
        source_transaction=transfer.payment.charge_id, transfer_group=transfer.order.number,
        metadata={"order_number": transfer.order.number, "producer_id": str(transfer.producer_id)},
        idempotency_key=f"landkorb-{transfer.order.number}-transfer-{transfer.producer_id}",
    )
    transfer.status, transfer.sent_at = TransferStatus.SENT, now
    db.session.flush()
    return True


def pay_out_delivered(*, now: datetime) -> int:
    """Transfers for every delivered, paid order that has none yet, and the waiting ones whose
    producer is ready now (the job `pay_out_producers`). Commits after each order."""
    if get_gateway() is None:
        return 0
    has_transfers = select(Transfer.id).where(Transfer.order_id == Order.id).exists()
    order_ids = db.session.scalars(select(Order.id).join(Payment, Payment.order_id == Order.id).where(
        Order.status.in_(DELIVERED), Payment.status == PaymentStatus.SUCCEEDED, Payment.flag.is_(None),
        ~has_transfers,
    ).order_by(Order.id)).all()
    db.session.commit()
    sent = 0
    for order_id in order_ids:
        payment = db.session.scalars(select(Payment).where(Payment.order_id == order_id).with_for_update()).one()
        if db.session.scalar(select(func.count()).select_from(Transfer).where(Transfer.order_id == order_id)):
            db.session.commit()
            continue
        refund_weight_differences(payment.order, now=now)  # owed, if the gateway is away
        _create_transfers(payment.order, payment, now=now)
        db.session.commit()
    waiting = db.session.scalars(select(Transfer.id).where(Transfer.status == TransferStatus.WAITING)
                                 .order_by(Transfer.id)).all()
    for transfer_id in waiting:
        transfer = db.session.get(Transfer, transfer_id, with_for_update=True, populate_existing=True)
        try:
            sent += send_transfer(transfer, now=now)
            db.session.commit()
        except GatewayError:
            db.session.rollback()
    return sent


def list_producers_without_account(sub_region_ids: list[int] | None = None) -> list[tuple[Producer, int]]:
    """Producers with transfers waiting for a ready account, and the cents waiting, for the coordinator."""
    ready = select(ProducerAccount.producer_id).where(
        ProducerAccount.details_submitted.is_(True), ProducerAccount.payouts_enabled.is_(True))
    query = (
        select(Producer, func.coalesce(func.sum(Transfer.amount_cents), 0))
        .outerjoin(Transfer, (Transfer.producer_id == Producer.id) & (Transfer.status == TransferStatus.WAITING))
        .where(Producer.is_approved.is_(True), Producer.id.not_in(ready))
        .group_by(Producer.id).order_by(Producer.name)
    )
    if sub_region_ids is not None:
        from marketplace.regions.models import Municipality, Place

        query = query.join(Place, Place.id == Producer.place_id).join(
            Municipality, Municipality.id == Place.municipality_id
        ).where(Municipality.sub_region_id.in_(sub_region_ids))
    return [(producer, int(cents)) for producer, cents in db.session.execute(query).all()]

