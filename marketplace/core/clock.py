"""Time: the application's "now", local Landkorb time and conversions; services take `now` as a value.

`utcnow()` is the one clock of web, API, CLI and jobs. In development and testing it can be pinned
to a fixed instant (`LANDKORB_CLOCK`, read by the app factory through `install_clock_source`), so
a check can run the whole application "at" any time; production refuses the setting (config.py).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Berlin")

# Returns the pinned instant of the running application, or None for the system time.
_pinned_source: Callable[[], datetime | None] | None = None


def install_clock_source(source: Callable[[], datetime | None] | None) -> None:
    """Where `utcnow()` looks for a pinned instant first (the app factory installs one)."""
    global _pinned_source
    _pinned_source = source


def utcnow() -> datetime:
    """Now, aware UTC: the pinned instant of the running application if it has one."""
    if _pinned_source is not None:
        pinned = _pinned_source()
        if pinned is not None:
            return pinned
    return datetime.now(UTC)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 time with an offset (`Z` allowed) as aware UTC; ValueError without an offset."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment.astimezone(UTC)


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time on a day in Landkorb's time zone, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_today(now: datetime) -> date:
    return to_local(now).date()


def days_from(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]
