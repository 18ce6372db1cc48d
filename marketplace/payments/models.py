"""Payments: online payments (Stripe PaymentIntents), their webhook events, refunds, producers'
connected accounts and transfers, and which methods a sub-region offers."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalog.models import Producer
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.orders.models import Order, PaymentMethod
from marketplace.regions.models import SubRegion


class PaymentStatus(enum.StrEnum):
    """Moves forward only: pending → succeeded | failed | canceled (failed may still succeed:
    the resident tries another card on the same PaymentIntent)."""

    PENDING = "pending"
    FAILED = "failed"
    SUCCEEDED = "succeeded"
    CANCELED = "canceled"


class Payment(db.Model):
    """One online payment of one order: a PaymentIntent for the whole basket."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), unique=True)
    intent_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    client_secret: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[PaymentStatus] = mapped_column(
        str_enum(PaymentStatus, "payment_status", 20), default=PaymentStatus.PENDING
    )
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default="eur")
    charge_id: Mapped[str | None] = mapped_column(String(100))
    captured_cents: Mapped[int] = mapped_column(default=0)
    refunded_cents: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Why the coordinator must look (amount or currency differ from the order); nothing ships.
    flag: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= captured_cents",
                        name="refund_within_capture"),
        Index("ix_payments_status_expires", "status", "expires_at"),
    )


class StripeEvent(db.Model):
    """A webhook event handled; written in the same transaction as its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RefundStatus(enum.StrEnum):
    """owed → made: a refund is owed from its cause's transaction on, and made once the gateway
    has refunded it (and reversed the producer's share where one is due)."""

    OWED = "owed"
    MADE = "made"


class Refund(db.Model):
    """Money given back on an online payment; `key` names its cause, so one cause refunds once.
    An owed refund already counts in the payment's `refunded_cents` (and its reversal in the
    transfer's `reversed_cents`): it is money that goes back, whenever the gateway answers."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(String(40))
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producers.id", ondelete="RESTRICT"))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    reversed_cents: Mapped[int] = mapped_column(default=0)
    status: Mapped[RefundStatus] = mapped_column(
        str_enum(RefundStatus, "refund_status", 10), default=RefundStatus.OWED
    )
    # What the gateway said the last time it did not make the refund.
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    payment: Mapped[Payment] = relationship()

    __table_args__ = (
        UniqueConstraint("payment_id", "key"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("status = 'owed' OR stripe_refund_id IS NOT NULL", name="made_at_the_gateway"),
        Index("ix_refunds_status", "status"),
    )


class ProducerAccount(db.Model):
    """A producer's Stripe Connect Express account and what Stripe says of it."""

    __tablename__ = "producer_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(String(100), unique=True)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    producer: Mapped[Producer] = relationship()

    @property
    def is_ready(self) -> bool:
        return self.details_submitted and self.payouts_enabled


class TransferStatus(enum.StrEnum):
    WAITING = "waiting"  # the producer has no ready account yet
    SENT = "sent"


class Transfer(db.Model):
    """A producer's share of one order (its delivered lines minus the platform fee)."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    goods_cents: Mapped[int]
    fee_cents: Mapped[int]
    amount_cents: Mapped[int]
    reversed_cents: Mapped[int] = mapped_column(default=0)
    status: Mapped[TransferStatus] = mapped_column(
        str_enum(TransferStatus, "transfer_status", 20), default=TransferStatus.WAITING
    )
    stripe_transfer_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship()
    producer: Mapped[Producer] = relationship()
    payment: Mapped[Payment] = relationship()

    __table_args__ = (
        UniqueConstraint("order_id", "producer_id"),
        CheckConstraint("amount_cents >= 0", name="amount_nonnegative"),
        CheckConstraint("amount_cents = goods_cents - fee_cents", name="amount_adds_up"),
        CheckConstraint("reversed_cents >= 0 AND reversed_cents <= amount_cents", name="reversal_within"),
    )


class SubRegionPaymentMethod(db.Model):
    """A payment method a sub-region switched on or off (no row: on, where the method fits)."""

    __tablename__ = "sub_region_payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="CASCADE"))
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method", 20))
    enabled: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")

    sub_region: Mapped[SubRegion] = relationship()

    __table_args__ = (UniqueConstraint("sub_region_id", "method"),)
