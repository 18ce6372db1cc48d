"""Time: aware UTC now, local Landkorb time, and conversions; services take `now` as a value."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time on a day in Landkorb's time zone, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    return to_local(now).date()


def days_from(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]
