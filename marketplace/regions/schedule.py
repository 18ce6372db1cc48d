"""Delivery days of a sub-region: its weekdays, minus public holidays, with their cut-offs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from marketplace.core.clock import local_datetime, local_today

# Rhineland-Palatinate: the demo region's state. A region elsewhere would configure its own.
HOLIDAY_SUBDIVISION = "RP"


@dataclass(frozen=True)
class DeliveryDay:
    date: date
    cutoff_at: datetime  # aware UTC


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv=HOLIDAY_SUBDIVISION, years=year)


def is_public_holiday(day: date) -> bool:
    return day in _holidays(day.year)


def holiday_name(day: date) -> str | None:
    return _holidays(day.year).get(day)


def cutoff_for(day: date, days_before: int, at: time) -> datetime:
    return local_datetime(day - timedelta(days=days_before), at)


def list_delivery_days(
    *, weekdays: list[int], cutoff_days_before: int, cutoff_time: time, now: datetime,
    count: int = 4, horizon_days: int = 42,
) -> list[DeliveryDay]:
    """The next `count` delivery days whose cut-off lies after `now`, holidays dropped."""
    days: list[DeliveryDay] = []
    if not weekdays:
        return days
    scheduled = _scheduled_days(
        tuple(weekdays), cutoff_days_before, cutoff_time, local_today(now), horizon_days,
    )
    for day in scheduled:
        if day.cutoff_at <= now:
            continue
        days.append(day)
        if len(days) == count:
            break
    return days


@lru_cache(maxsize=256)
def _scheduled_days(
    weekdays: tuple[int, ...], cutoff_days_before: int, cutoff_time: time, start: date,
    horizon_days: int,
) -> tuple[DeliveryDay, ...]:
    # Every delivery day from `start` over the horizon with its cut-off: a function of its
    # arguments alone, so kept (every checkout asks, time-zone arithmetic and holidays are slow).
    days = []
    for offset in range(horizon_days + 1):
        day = start + timedelta(days=offset)
        if day.isoweekday() in weekdays and not is_public_holiday(day):
            days.append(DeliveryDay(day, cutoff_for(day, cutoff_days_before, cutoff_time)))
    return tuple(days)


def list_sub_region_delivery_days(
    sub_region, *, now: datetime, count: int = 4, horizon_days: int = 42, include_closed: bool = False,
) -> list[DeliveryDay]:
    """A sub-region's next delivery days from its schedule; none without a schedule.

    Residents see only days still open for orders; coordinators and drivers also need the days
    whose cut-off has passed but which still lie ahead (`include_closed`).
    """
    schedule = sub_region.schedule
    if schedule is None:
        return []
    if include_closed:
        days = []
        start = local_today(now)
        for offset in range(horizon_days + 1):
            day = get_delivery_day(
                start + timedelta(days=offset), weekdays=schedule.weekdays,
                cutoff_days_before=schedule.cutoff_days_before, cutoff_time=schedule.cutoff_time,
            )
            if day is not None:
                days.append(day)
                if len(days) == count:
                    break
        return days
    return list_delivery_days(
        weekdays=schedule.weekdays, cutoff_days_before=schedule.cutoff_days_before,
        cutoff_time=schedule.cutoff_time, now=now, count=count, horizon_days=horizon_days,
    )


def get_delivery_day(
    day: date, *, weekdays: list[int], cutoff_days_before: int, cutoff_time: time,
) -> DeliveryDay | None:
    """The delivery day on `day` if the schedule has one there (cut-off not checked)."""
    if day.isoweekday() not in weekdays or is_public_holiday(day):
        return None
    return DeliveryDay(day, cutoff_for(day, cutoff_days_before, cutoff_time))
