"""What assisted ordering records: a resident's consent as it was given, and every staff action."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db


class ConsentGivenBy(enum.StrEnum):
    PHONE = "phone"          # read out on the telephone
    IN_PERSON = "in_person"  # shown or read out at the counter


class ResidentConsent(db.Model):
    """A resident's consent to be served by Landkorb, recorded by the staff member who heard it."""

    __tablename__ = "resident_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    given_by: Mapped[ConsentGivenBy] = mapped_column(str_enum(ConsentGivenBy, "consent_given_by", 20))
    text_version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class AssistedAction(db.Model):
    """One thing staff did for a resident (registered, ordered, invited): who, when, what."""

    __tablename__ = "assisted_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    resident: Mapped[User] = relationship(foreign_keys=[resident_id])
