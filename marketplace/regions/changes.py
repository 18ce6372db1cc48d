"""The region's set-up log: who changed what in the region's set-up, when, before and after."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.types import UTCDateTime
from marketplace.extensions import db


class RegionChange(db.Model):
    """One change of the set-up, written in the same transaction as the change itself."""

    __tablename__ = "region_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    # The user who made the change; kept as a name too, so the log survives a deleted account.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What was done, e.g. "sub_region.created", "municipality.moved", "role.granted".
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_region_changes_region_at", "region_id", "at"),)
