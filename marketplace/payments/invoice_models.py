"""Invoices, credit notes and their gap-free numbers; who may pay by invoice, and what is due.

Every seller numbers its own documents without gap per year: a counter row per (series, year),
taken with an UPDATE in the transaction that writes the document, so a rolled-back order takes
no number and two orders never get the same one. A series is a producer's invoices
("producer-12"), its credit notes ("producer-12-credit"), and the platform's own ("platform",
"platform-credit": the delivery fee to the resident, the platform fee to the producer).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.orders.models import Order


class InvoiceKind(enum.StrEnum):
    SALE = "sale"                  # a producer's goods, to the resident
    DELIVERY = "delivery"          # the platform's delivery fee, to the resident
    PLATFORM_FEE = "platform_fee"  # the platform's fee, to the producer
    CREDIT_NOTE = "credit_note"    # corrects one of the above, refers to it


class InvoiceCounter(db.Model):
    __tablename__ = "invoice_counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        UniqueConstraint("series", "year"),
        CheckConstraint("last_number >= 0", name="last_number_nonnegative"),
    )


class Invoice(db.Model):
    """One document with its number: seller and buyer as they were when it was issued."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(str_enum(InvoiceKind, "invoice_kind", 20))
    series: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    number: Mapped[int]
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    # The producer it is about: the seller of a sale, the buyer of a platform fee.
    producer_id: Mapped[int | None] = mapped_column(
        ForeignKey("producers.id", ondelete="RESTRICT"), index=True
    )
    # The resident who bought (sale, delivery), for the receipt; None for a platform fee.
    buyer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    # NO ACTION rather than RESTRICT: checked at the end of a statement, so a statement that
    # removes a credit note with its invoice may (SQLite checks RESTRICT row by row).
    refers_to_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(Text, default="")
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_address: Mapped[str] = mapped_column(Text, default="")
    # A business or public buyer (a Kita, the municipality), and its reference (Leitweg-ID).
    buyer_organisation: Mapped[str | None] = mapped_column(String(200))
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    # §19 UStG: the seller charges no VAT and the invoice says so.
    is_small_business: Mapped[bool] = mapped_column(default=False)
    total_cents: Mapped[int]
    reason: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()
    producer: Mapped[Producer | None] = relationship()
    buyer: Mapped[User | None] = relationship()
    refers_to: Mapped[Invoice | None] = relationship(remote_side=[id])
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )

    __table_args__ = (
        UniqueConstraint("series", "year", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("total_cents >= 0", name="total_nonnegative"),
        CheckConstraint("(kind = 'credit_note') = (refers_to_id IS NOT NULL)", name="credit_refers"),
    )

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def display_number(self) -> str:
        prefix = "KR" if self.is_credit_note else "RE"
        return f"{prefix}-{self.year}-{self.number:05d}"


class InvoiceLine(db.Model):
    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    # The order line it bills or credits, where there is one (not for fees).
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    vat_rate: Mapped[int]
    total_cents: Mapped[int]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="price_nonnegative"),
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate_known"),
        CheckConstraint("total_cents = quantity * unit_price_cents", name="total_adds_up"),
    )


class BillingProfile(db.Model):
    """How a resident is billed: whether the coordinator lets them pay by invoice, and for whom
    they buy (a Kita, the municipality), which gets them a Factur-X invoice."""

    __tablename__ = "billing_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    may_pay_by_invoice: Mapped[bool] = mapped_column(default=False)
    organisation: Mapped[str | None] = mapped_column(String(200))
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class InvoiceDue(db.Model):
    """What an order paid by invoice owes, by when, whether it was reminded and paid."""

    __tablename__ = "invoice_dues"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    order: Mapped[Order] = relationship()
    paid_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_invoice_dues_open", "paid_at", "due_at"),
    )
