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


# A line's total: the packed units at the unit price, or the real weight at the price per kg
# (rounded half up to a cent). Also in the migration that adds it.
LINE_TOTAL_ADDS_UP = (
    "(weight_grams IS NULL AND total_cents = (quantity - short_quantity) * unit_price_cents) OR "
    "(weight_grams IS NOT NULL AND price_per_kg_cents IS NOT NULL "
    "AND total_cents = (weight_grams * price_per_kg_cents + 500) / 1000)"
)
# The real weight lies within the tolerance around the packed units' weight.
LINE_WEIGHT_WITHIN_BOUND = (
    "weight_grams IS NULL OR (weight_grams > 0 AND nominal_weight_g IS NOT NULL "
    "AND weight_grams * 100 >= nominal_weight_g * (quantity - short_quantity) * (100 - weight_tolerance_pct) "
    "AND weight_grams * 100 <= nominal_weight_g * (quantity - short_quantity) * (100 + weight_tolerance_pct))"
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
    # What the resident pays for the line: the units packed at the unit price, or, once a
    # variable-weight line is weighed, the real weight at the price per kg.
    total_cents: Mapped[int]
    # Variable weight ("ca. 500 g"), copied from the product when ordered: the price per kg, the
    # weight of one unit, and how far the real weight may lie from it. All three or none.
    price_per_kg_cents: Mapped[int | None]
    nominal_weight_g: Mapped[int | None]
    weight_tolerance_pct: Mapped[int | None]
    # The real weight of the units packed, in grams, entered by the producer after packing.
    weight_grams: Mapped[int | None]
    # Units the producer could not deliver, and what they were worth: what a refund or credit
    # note of the payments gives back.
    short_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    short_cents: Mapped[int] = mapped_column(default=0, server_default="0")

    order: Mapped[Order] = relationship(back_populates="lines")
    producer_order: Mapped[ProducerOrder] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_cents >= 0", name="price_nonnegative"),
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate_known"),
        CheckConstraint(LINE_TOTAL_ADDS_UP, name="total_adds_up"),
        CheckConstraint("short_quantity BETWEEN 0 AND quantity", name="short_within_quantity"),
        CheckConstraint("short_cents = short_quantity * unit_price_cents", name="short_adds_up"),
        CheckConstraint(
            "(price_per_kg_cents IS NULL) = (nominal_weight_g IS NULL) "
            "AND (price_per_kg_cents IS NULL) = (weight_tolerance_pct IS NULL)",
            name="variable_weight_complete",
        ),
        CheckConstraint(LINE_WEIGHT_WITHIN_BOUND, name="weight_within_bound"),
    )

    @property
    def is_variable_weight(self) -> bool:
        return self.price_per_kg_cents is not None

    @property
    def packed_quantity(self) -> int:
        return self.quantity - self.short_quantity

    @property
    def is_fully_short(self) -> bool:
        return self.short_quantity == self.quantity


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


class ProducerDayState(enum.StrEnum):
    LISTED = "listed"               # the cut-off list went out; nothing to decide
    AWAITING = "awaiting"           # below the producer's minimum: confirm or decline
    CONFIRMED = "confirmed"         # below the minimum, and the producer delivers anyway
    DECLINED = "declined"           # below the minimum, and the producer's lines were cancelled


class ProducerMinimum(db.Model):
    """The least turnover a producer delivers for, per delivery day, in one sub-region."""

    __tablename__ = "producer_minimums"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="CASCADE"))
    minimum_cents: Mapped[int]

    sub_region: Mapped[SubRegion] = relationship()

    __table_args__ = (
        UniqueConstraint("producer_id", "sub_region_id"),
        CheckConstraint("minimum_cents > 0", name="minimum_positive"),
    )


class ProducerDay(db.Model):
    """One producer's part of one delivery day in one sub-region, from its cut-off on: the list
    sent (once), the turnover against the minimum, and the producer's answer when below it."""

    __tablename__ = "producer_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    sub_region_id: Mapped[int] = mapped_column(ForeignKey("sub_regions.id", ondelete="CASCADE"))
    delivery_date: Mapped[date]
    state: Mapped[ProducerDayState] = mapped_column(str_enum(ProducerDayState, "producer_day_state", 20))
    turnover_cents: Mapped[int]
    minimum_cents: Mapped[int | None]
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    producer: Mapped[Producer] = relationship()
    sub_region: Mapped[SubRegion] = relationship()

    __table_args__ = (
        UniqueConstraint("producer_id", "delivery_date", "sub_region_id"),
        CheckConstraint("turnover_cents >= 0", name="turnover_nonnegative"),
        CheckConstraint(
            "state = 'listed' OR minimum_cents IS NOT NULL", name="minimum_when_asked"
        ),
    )
