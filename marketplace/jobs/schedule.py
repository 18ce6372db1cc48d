"""When a job is due next: every N minutes, or daily at a wall-clock time in a time zone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Every:
    """Due again `interval` after the run it follows (a tick that comes late does not catch up)."""

    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval

    def __str__(self) -> str:
        minutes = int(self.interval.total_seconds() // 60)
        return f"every {minutes} min" if minutes < 60 or minutes % 60 else f"every {minutes // 60} h"


@dataclass(frozen=True)
class DailyAt:
    """Due once a day at `at` on the wall clock of `zone` (DST moves it in UTC, not locally)."""

    at: time
    zone: str = "Europe/Berlin"

    def next_after(self, moment: datetime) -> datetime:
        tz = ZoneInfo(self.zone)
        local = moment.astimezone(tz)
        candidate = datetime.combine(local.date(), self.at, tzinfo=tz)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.at, tzinfo=tz)
        return candidate.astimezone(UTC)

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M} {self.zone}"
