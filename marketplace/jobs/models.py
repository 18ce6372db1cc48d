"""One row per registered job: when it last ran, when it is due next, its last error, its lease."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.types import UTCDateTime
from marketplace.extensions import db


class JobState(db.Model):
    """A job's schedule state; `locked_by`/`locked_until` is the lease of the tick running it."""

    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    # None: never run, so due at once.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Failures in a row; back to 0 after a run that succeeds.
    failures: Mapped[int] = mapped_column(default=0)
    runs: Mapped[int] = mapped_column(default=0)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("failures >= 0", name="failures_nonnegative"),
        CheckConstraint("runs >= 0", name="runs_nonnegative"),
    )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def __repr__(self) -> str:
        return f"<JobState {self.name}>"
