"""Delivery days: weekdays of the schedule, cut-off before each, public holidays dropped."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

from marketplace.regions.schedule import (
    cutoff_for,
    is_public_holiday,
    list_delivery_days,
    list_sub_region_delivery_days,
)
from tests import factories as f

TUE_FRI = {"weekdays": [2, 5], "cutoff_days_before": 1, "cutoff_time": time(18, 0)}


def test_next_days_follow_the_weekdays():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday
    days = list_delivery_days(now=now, count=3, **TUE_FRI)
    assert [d.date for d in days] == [date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 10)]
    # Cut-off: the day before at 18:00 Berlin time (17:00 UTC in winter).
    assert days[0].cutoff_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_a_day_whose_cutoff_has_passed_is_not_offered():
    now = datetime(2026, 3, 2, 17, 1, tzinfo=UTC)  # Monday 18:01 in Berlin
    days = list_delivery_days(now=now, count=1, **TUE_FRI)
    assert days[0].date == date(2026, 3, 6)


def test_public_holidays_of_rhineland_palatinate_are_dropped():
    assert is_public_holiday(date(2026, 6, 4))  # Fronleichnam: a holiday in RP, not everywhere
    assert is_public_holiday(date(2026, 12, 25))
    now = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)
    days = list_delivery_days(now=now, count=3, **TUE_FRI)
    # Christmas Day and New Year's Day fall on Fridays: both are dropped.
    assert [d.date for d in days] == [date(2026, 12, 22), date(2026, 12, 29), date(2027, 1, 5)]


def test_no_weekdays_means_no_days():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert list_delivery_days(now=now, weekdays=[], cutoff_days_before=1, cutoff_time=time(18, 0)) == []


def test_cutoff_respects_summer_time():
    assert cutoff_for(date(2026, 7, 7), 1, time(18, 0)) == datetime(2026, 7, 6, 16, 0, tzinfo=UTC)


def test_sub_region_days_for_coordinators_include_closed_ones(db):
    sub = f.make_sub_region()
    f.make_schedule(sub, weekdays=(2, 5))
    now = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # Monday evening: Tuesday's cut-off has passed
    resident_view = list_sub_region_delivery_days(sub, now=now, count=1)
    coordinator_view = list_sub_region_delivery_days(sub, now=now, count=1, include_closed=True)
    assert resident_view[0].date == date(2026, 3, 6)
    assert coordinator_view[0].date == date(2026, 3, 3)


def test_sub_region_without_schedule_has_no_days(db):
    assert list_sub_region_delivery_days(f.make_sub_region(), now=datetime(2026, 3, 2, tzinfo=UTC)) == []
