"""Reads about payments: flagged payments for the coordinator, an order's payment and refunds."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.models import Payment, Refund, Transfer


def list_flagged_payments(sub_region_ids: list[int]) -> list[Payment]:
    return list(db.session.scalars(select(Payment).join(Order, Order.id == Payment.order_id).where(
        Payment.flag.is_not(None), Order.sub_region_id.in_(sub_region_ids)).order_by(Payment.id)))


def list_refunds(order_id: int) -> list[Refund]:
    return list(db.session.scalars(select(Refund).join(Payment).where(Payment.order_id == order_id)
                                   .order_by(Refund.id)))


def list_transfers_of_producer(producer_id: int, *, since=None, until=None) -> list[Transfer]:
    """A producer's transfers, oldest first (the payout statement reads these)."""
    query = select(Transfer).where(Transfer.producer_id == producer_id)
    if since is not None:
        query = query.where(Transfer.created_at >= since)
    if until is not None:
        query = query.where(Transfer.created_at < until)
    return list(db.session.scalars(query.order_by(Transfer.id)))
