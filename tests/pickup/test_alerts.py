"""The station's operators are told, through the outbox, when the keypad locks or a compartment goes out."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.extensions import db
from marketplace.notifications.gsm7 import fits_one_sms
from marketplace.notifications.kinds import KINDS, LANGUAGES, render
from marketplace.notifications.models import Notification
from marketplace.pickup.codes import InvalidCode, KeypadLocked, UnknownCode, redeem_code
from marketplace.pickup.events import record_station_events
from tests import factories as f


@pytest.fixture
def station(db):
    station = f.make_station()
    f.make_user(role=Role.OPERATOR, scope_id=station.id)
    f.make_user(role=Role.OPERATOR, scope_id=station.id)
    f.make_user(role=Role.OPERATOR, scope_id=f.make_station().id)  # another station's
    return station


def _told(kind):
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()
    return rows


def test_both_operators_are_told_when_the_keypad_locks_for_15_minutes_and_when_it_stays_locked(station, now):
    at = now
    for _ in range(40):
        try:
            redeem_code(station, "1234", now=at)
        except (InvalidCode, UnknownCode):
            pass
        except KeypadLocked:
            at += timedelta(minutes=15)
            continue
        at += timedelta(seconds=1)
    told = _told("keypad_locked")
    assert len({n.recipient_id for n in told}) == 2
    assert [n.context["locked_until_at"] is None for n in told] == [False, False, False, False, True, True]
    assert told[0].context == {"station_name": station.name, "misses": 10,
                               "locked_until_at": (now + timedelta(seconds=9, minutes=15)).isoformat()}


def test_operators_are_told_which_compartment_went_out_of_service_and_why(station, now):
    record_station_events(station, [
        {"kind": "fault", "compartment": "01", "at": now.isoformat(), "value": "E7"},
        {"kind": "temperature", "compartment": "03", "at": now.isoformat(), "value": 9.5},
        {"kind": "temperature", "compartment": "03", "at": now.isoformat(), "value": 10.5},  # already out
    ], now=now)
    told = _told("compartment_out_of_service")
    assert sorted((n.context["compartment"], n.context["reason"]) for n in told) == [
        ("01", "Störung gemeldet: E7"), ("01", "Störung gemeldet: E7"),
        ("03", "Temperatur 9.5 °C über 7.0 °C"), ("03", "Temperatur 9.5 °C über 7.0 °C"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["keypad_locked", "compartment_out_of_service"])
def test_the_alerts_render_in_both_languages_and_the_sms_fits(app, kind, language):
    for context in (KINDS[kind].sample, {**KINDS[kind].sample, "locked_until_at": None}):
        with app.app_context():
            rendered = render(kind, context, language)
        assert rendered.subject and rendered.text and "<p>" in rendered.html
        assert fits_one_sms(rendered.sms), rendered.sms
    if language == "en":
        assert "Guten Tag" not in rendered.text
