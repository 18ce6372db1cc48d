"""The outbox: one Notification row per message and channel, and the deliveries a channel accepted."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    SLIP = "slip"


class NotificationState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Notification(db.Model):
    """A message to one person through one channel; written in the transaction it tells about.

    The texts are rendered when it is sent (in the recipient's language then) and kept as sent.
    A sender claims a row (`claim_token`, `claimed_until`) before it sends; a claim that runs
    out (a crashed sender) is taken over by the next one.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "notification_channel", 10))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The e-mail address or E.164 number at the time of writing; empty for a printed slip.
    address: Mapped[str] = mapped_column(String(254), default="")
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    # An order is deleted only when its placement is refused: its messages go with it.
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    # Where a slip is printed (a sales point); none: the sub-region's coordinators print it.
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_places.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[NotificationState] = mapped_column(
        str_enum(NotificationState, "notification_state", 10), default=NotificationState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    recipient: Mapped[User] = relationship()
    deliveries: Mapped[list[NotificationDelivery]] = relationship(
        back_populates="notification", cascade="all, delete-orphan", order_by="NotificationDelivery.id"
    )

    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notifications_state_due_at", "state", "due_at"),
    )


class NotificationDelivery(db.Model):
    """A channel accepted a notification (the SMTP server, the SMS gateway, the slip queue)."""

    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    reference: Mapped[str] = mapped_column(String(200), default="")

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
