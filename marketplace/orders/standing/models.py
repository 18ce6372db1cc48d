"""StandingOrder with its items and skipped dates, and StandingOrderRun: one per delivery day."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog.models import Product
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.orders.models import Fulfilment, Order, PaymentMethod
from marketplace.pickup.models import PickupPlace


class StandingState(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class RunOutcome(enum.StrEnum):
    PLACED = "placed"      # every line ordered
    PARTIAL = "partial"    # some lines ordered, the others reported
    FAILED = "failed"      # nothing ordered, reported


class StandingOrder(db.Model):
    """A basket ordered for the resident every week on `weekday` (ISO, 1 = Monday)."""

    __tablename__ = "standing_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Staff who set it up for the resident (a sales point, the phone), or the resident.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    weekday: Mapped[int]
    state: Mapped[StandingState] = mapped_column(
        str_enum(StandingState, "standing_state", 10), default=StandingState.ACTIVE
    )
    fulfilment: Mapped[Fulfilment] = mapped_column(str_enum(Fulfilment, "fulfilment", 20))
    pickup_place_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_places.id", ondelete="RESTRICT"))
    # The door: no street means the resident's home address at the time of each order.
    door_street: Mapped[str | None] = mapped_column(String(200))
    door_postcode: Mapped[str | None] = mapped_column(String(10))
    door_town: Mapped[str | None] = mapped_column(String(200))
    door_window: Mapped[str | None] = mapped_column(String(20))
    payment_method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod, "payment_method", 20))
    # Delivery days count from here (creation, or the last resume): a day whose cut-off came
    # before is none of this standing order's business.
    active_since: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last delivery day the job handled (ordered, or reported as not orderable).
    last_run_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    pickup_place: Mapped[PickupPlace | None] = relationship()
    items: Mapped[list[StandingOrderItem]] = relationship(
        back_populates="standing_order", cascade="all, delete-orphan", order_by="StandingOrderItem.id"
    )
    skips: Mapped[list[StandingOrderSkip]] = relationship(
        cascade="all, delete-orphan", order_by="StandingOrderSkip.skipped_date"
    )

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday_iso"),
        CheckConstraint(
            "(fulfilment = 'door') = (pickup_place_id IS NULL)", name="place_matches_fulfilment"
        ),
    )

    @property
    def skipped_dates(self) -> list[date]:
        return [skip.skipped_date for skip in self.skips]


class StandingOrderItem(db.Model):
    __tablename__ = "standing_order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(ForeignKey("standing_orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    standing_order: Mapped[StandingOrder] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("standing_order_id", "product_id"),
        CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_range"),
    )


class StandingOrderSkip(db.Model):
    """A delivery day the resident wants nothing from this standing order."""

    __tablename__ = "standing_order_skips"

    id: Mapped[int] = mapped_column(primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(ForeignKey("standing_orders.id", ondelete="CASCADE"))
    skipped_date: Mapped[date]

    __table_args__ = (UniqueConstraint("standing_order_id", "skipped_date"),)


class StandingOrderRun(db.Model):
    """What the job did for one standing order and delivery day: once, by the unique constraint."""

    __tablename__ = "standing_order_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    standing_order_id: Mapped[int] = mapped_column(ForeignKey("standing_orders.id", ondelete="CASCADE"))
    delivery_date: Mapped[date]
    outcome: Mapped[RunOutcome] = mapped_column(str_enum(RunOutcome, "run_outcome", 10))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # The lines not ordered: [{"product_id", "name", "quantity", "reason"}].
    not_ordered: Mapped[list] = mapped_column(JSON, default=list)
    # Why nothing was ordered (an error code), when nothing was.
    error_code: Mapped[str | None] = mapped_column(String(40))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)

    order: Mapped[Order | None] = relationship()

    __table_args__ = (UniqueConstraint("standing_order_id", "delivery_date"),)
