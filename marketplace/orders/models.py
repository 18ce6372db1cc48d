"""Cart, Order, OrderLine (price snapshot), ProducerOrder and OrderEvent."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer, Product, Temperature, Unit
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.pickup.models import PickupPlace
from marketplace.regions.models import SubRegion


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PACKED = "packed"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    PICKED_UP = "picked_up"
    NOT_COLLECTED = "not_collected"
    RETURNED = "returned"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Fulfilment(enum.StrEnum):
    STATION = "station"
    SALES_POINT = "sales_point"
    DOOR = "door"


class PaymentMethod(enum.StrEnum):
    PAY_ON_PICKUP = "pay_on_pickup"
    STRIPE = "stripe"
    INVOICE = "invoice"


class Cart(db.Model):
    """A resident's basket, kept in the database so it follows them across devices."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(db.Model):
    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # Staff who placed the order on the resident's behalf (sales point, phone), if any.
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="RESTRICT"))
    delivery_date: Mapped[date]
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[OrderStatus] = mapped_column(
        str_enum(OrderStatus, "order_status", 20), default=OrderStatus.PLACED
    )
    fulfilment: Mapped[Fulfilment] = mapped_column(str_enum(Fulfilment, "fulfilment", 20))
    pickup_place_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="RESTRICT"), index=True
    )
    door_street: Mapped[str | None] = mapped_column(String(200))
    door_postcode: Mapped[str | None] = mapped_column(String(10))
    door_town: Mapped[str | None] = mapped_column(String(200))
    door_lat: Mapped[float | None]
    door_lon: Mapped[float | None]
    door_window: Mapped[str | None] = mapped_column(String(20))
    payment_method: Mapped[PaymentMethod] = mapped_column(
        str_enum(PaymentMethod, "payment_method", 20)
    )
    items_total_cents: Mapped[int]
    delivery_fee_cents: Mapped[int] = mapped_column(default=0)
    total_cents: Mapped[int]
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    sub_region: Mapped[SubRegion] = relationship()
    pickup_place: Mapped[PickupPlace | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    producer_orders: Mapped[list[ProducerOrder]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="ProducerOrder.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )

    __table_args__ = (
        CheckConstraint("items_total_cents >= 0", name="items_total_nonnegative"),
        CheckConstraint("delivery_fee_cents >= 0", name="fee_nonnegative"),
        CheckConstraint(
            "total_cents = items_total_cents + delivery_fee_cents", name="total_adds_up"
        ),
        CheckConstraint(
            "(fulfilment = 'door') = (pickup_place_id IS NULL)", name="place_matches_fulfilment"
        ),
        UniqueConstraint("resident_id", "idempotency_key"),
        Index("ix_orders_day_status", "delivery_date", "status"),
    )

    def __repr__(self) -> str:
        return f"<Order {self.number} {self.status}>"


class ProducerOrder(db.Model):
    """The lines of one order that one producer packs."""

    __tablename__ = "producer_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="RESTRICT"))
    items_total_cents: Mapped[int]
    packed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(back_populates="producer_orders")
    producer: Mapped[Producer] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="producer_order", order_by="OrderLine.id", viewonly=True
    )

    __table_args__ = (
        UniqueConstraint("order_id", "producer_id"),
        Index("ix_producer_orders_producer", "producer_id", "order_id"),
        CheckConstraint("items_total_cents >= 0", name="items_total_nonnegative"),
    )


class OrderLine(db.Model):
    """One product in an order, with name, unit, price and VAT as they were when ordered."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    producer_order_id: Mapped[int] = mapped_column(
        ForeignKey("producer_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[Unit] = mapped_column(str_enum(Unit, "unit", 10))
    temperature: Mapped[Temperature] = mapped_column(str_enum(Temperature, "temperature", 10))
    crate_units: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    vat_rate: Mapped[int]
    total_cents: Mapped[int]

    order: Mapped[Order] = relationship(back_populates="lines")
    producer_order: Mapped[ProducerOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="price_nonnegative"),
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate_known"),
        CheckConstraint("total_cents = quantity * unit_price_cents", name="total_adds_up"),
    )


class OrderEvent(db.Model):
    """One step in an order's life: the transition, who made it and when."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[OrderStatus | None] = mapped_column(
        str_enum(OrderStatus, "from_status", 20)
    )
    to_status: Mapped[OrderStatus | None] = mapped_column(str_enum(OrderStatus, "to_status", 20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
