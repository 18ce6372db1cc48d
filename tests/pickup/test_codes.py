"""Pickup codes: 8 random digits, stored as an HMAC, single use, expiring; the keypad locks."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from marketplace.extensions import db
from marketplace.pickup import codes
from marketplace.pickup.codes import (
    CodeNotIssuable,
    InvalidCode,
    KeypadLocked,
    UnknownCode,
    count_active_codes,
    guess_chance_per_year,
    issue_pickup_code,
    max_guesses_per_year,
    redeem_code,
    release_keypad,
)
from marketplace.pickup.models import CompartmentReservation, CompartmentState, KeypadMiss, PickupCode
from tests import factories as f
from tests.pickup.helpers import make_station_order

WEEK = timedelta(days=7)


@pytest.fixture
def station(db):
    return f.make_station()


def _issue(station, now, **kw):
    order = make_station_order(station, **kw)
    return order, issue_pickup_code(order, now=now, expires_at=now + WEEK)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**8:08d}"


def _miss(station, code, now):
    with pytest.raises((UnknownCode, InvalidCode)) as refused:
        redeem_code(station, code, now=now)
    return refused.value.fields["attempts_left"]


def test_a_code_is_eight_random_digits_stored_only_as_an_hmac(station, now, monkeypatch):
    drawn = []
    real = codes.secrets.randbelow
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: drawn.append(n) or real(n))
    order, code = _issue(station, now)
    assert re.fullmatch(r"[0-9]{8}", code) and drawn == [10**8]
    stored = db.session.scalars(select(PickupCode)).one()
    assert stored.order_id == order.id and stored.pickup_place_id == station.id
    assert re.fullmatch(r"[0-9a-f]{64}", stored.digest) and code not in stored.digest
    assert stored.digest == codes.code_digest(station.id, code)


def test_leading_zeros_stay(station, now, monkeypatch):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 42)
    assert _issue(station, now)[1] == "00000042"


def test_a_code_opens_once_and_frees_the_order_compartments(station, now):
    order, code = _issue(station, now)
    compartment = station.compartments[0]
    compartment.state = CompartmentState.OCCUPIED
    db.session.add(CompartmentReservation(compartment=compartment, order_id=order.id,
                                          delivery_date=order.delivery_date, crate_units=1))
    db.session.flush()
    redemption = redeem_code(station, code, now=now)
    assert redemption.order is order and redemption.compartments == [compartment.label]
    assert compartment.state == CompartmentState.FREE
    assert db.session.scalars(select(CompartmentReservation)).one().released_at == now
    assert _miss(station, code, now + timedelta(seconds=1)) == 9


def test_an_expired_code_is_unknown(station, now):
    order = make_station_order(station)
    code = issue_pickup_code(order, now=now, expires_at=now + timedelta(hours=1))
    assert _miss(station, code, now + timedelta(hours=1)) == 9
    assert count_active_codes(station.id, now=now) == 0


def test_a_code_of_another_station_is_unknown_here(station, now):
    other = f.make_station()
    _, code = _issue(other, now)
    assert _miss(station, code, now) == 9
    assert redeem_code(other, code, now=now).order.pickup_place_id == other.id


def test_a_new_code_for_the_same_order_replaces_the_old_one(station, now):
    order, old = _issue(station, now)
    new = issue_pickup_code(order, now=now, expires_at=now + WEEK)
    assert count_active_codes(station.id, now=now) == 1
    if old != new:
        assert _miss(station, old, now) == 9
    assert redeem_code(station, new, now=now).order is order


def test_codes_are_unique_among_the_place_open_codes(station, now, monkeypatch):
    draws = iter([12345678, 12345678, 87654321])
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: next(draws))
    assert _issue(station, now)[1] == "12345678"
    assert _issue(station, now)[1] == "87654321"  # the clash was drawn again
    assert count_active_codes(station.id, now=now) == 2


def test_the_digits_of_a_lapsed_code_may_be_issued_again(station, now, monkeypatch):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 11112222)
    first = make_station_order(station)
    issue_pickup_code(first, now=now, expires_at=now + timedelta(hours=1))
    later = now + timedelta(hours=2)
    order, code = _issue(station, later)
    assert code == "11112222" and redeem_code(station, code, now=later).order is order


def test_no_code_without_a_pickup_place_or_with_an_expiry_in_the_past(station, now):
    order = make_station_order(station)
    with pytest.raises(CodeNotIssuable):
        issue_pickup_code(order, now=now, expires_at=now)
    with pytest.raises(CodeNotIssuable):  # a door order
        issue_pickup_code(SimpleNamespace(id=order.id, pickup_place_id=None), now=now, expires_at=now + WEEK)
    assert db.session.scalars(select(PickupCode)).all() == []


@pytest.mark.parametrize("bad", ["1234567", "123456789", "abcdefgh", "1234 678", "", 12345678, None, ["12345678"]])
def test_anything_but_eight_digits_is_invalid_and_counts_as_a_miss(station, now, bad):
    with pytest.raises(InvalidCode) as refused:
        redeem_code(station, bad, now=now)
    assert refused.value.status == 422 and refused.value.fields == {"attempts_left": 9}
    assert db.session.scalar(select(func.count()).select_from(KeypadMiss)) == 1


def test_attempts_left_count_down_from_nine_to_zero_then_the_keypad_locks_for_15_minutes(station, now):
    _, code = _issue(station, now)
    left = [_miss(station, _wrong(code), now + timedelta(seconds=i)) for i in range(10)]
    assert left == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    tenth = now + timedelta(seconds=9)
    with pytest.raises(KeypadLocked) as locked:
        redeem_code(station, code, now=tenth + timedelta(minutes=14))  # a valid code, too
    assert locked.value.status == 423
    assert locked.value.fields == {"locked_until": (tenth + timedelta(minutes=15)).isoformat()}
    # After the lock a new series begins.
    assert _miss(station, _wrong(code), tenth + timedelta(minutes=15)) == 9
    assert redeem_code(station, code, now=tenth + timedelta(minutes=16)).compartments == []


def test_a_valid_code_ends_the_series(station, now):
    _, code = _issue(station, now)
    _, other_code = _issue(station, now)
    for i in range(9):
        _miss(station, "00000000" if code != "00000000" else "00000001", now + timedelta(seconds=i))
    redeem_code(station, code, now=now + timedelta(seconds=10))
    assert _miss(station, _wrong(other_code) if _wrong(other_code) != code else "99999999",
                 now + timedelta(seconds=11)) == 9


def _three_series(station, code, start):
    at = start
    for series in range(3):
        for _ in range(10):
            _miss(station, _wrong(code), at)
            at += timedelta(seconds=1)
        if series < 2:
            at += timedelta(minutes=15)
    return at


def test_thirty_misses_within_24_hours_lock_until_the_operator_releases(station, now):
    _, code = _issue(station, now)
    at = _three_series(station, code, now)
    for later in (at, at + timedelta(days=2)):
        with pytest.raises(KeypadLocked) as locked:
            redeem_code(station, code, now=later)
        assert locked.value.fields == {"locked_until": None}
    release_keypad(station, now=at + timedelta(days=2))
    assert redeem_code(station, code, now=at + timedelta(days=2)).order.pickup_place_id == station.id


def test_misses_older_than_24_hours_do_not_count_toward_the_lasting_lock(station, now):
    _, code = _issue(station, now)
    for day in range(3):  # 29 misses a day, waiting out each short lock
        at = now + day * timedelta(hours=25)
        for _ in range(29):
            left = _miss(station, _wrong(code), at)
            at += timedelta(minutes=16) if left == 0 else timedelta(seconds=1)
    assert redeem_code(station, code, now=at).order.pickup_place_id == station.id


def test_ten_thousand_guesses_check_thirty_codes_at_most(station, now, monkeypatch):
    order, code = _issue(station, now)
    digests = []
    real = codes.code_digest
    monkeypatch.setattr(codes, "code_digest", lambda place, c: digests.append(c) or real(place, c))
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    outcomes = {"miss": 0, "locked": 0, "opened": 0}
    try:
        for i in range(10_000):
            guess = f"{(int(code) + 1 + i) % 10**8:08d}" if i % 1000 != 500 else code
            try:
                redeem_code(station, guess, now=now + timedelta(seconds=i))
                outcomes["opened"] += 1
            except (UnknownCode, InvalidCode):
                outcomes["miss"] += 1
            except KeypadLocked:
                outcomes["locked"] += 1
            if i == 9_000:
                statements_at_9000 = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    # The valid code, typed ten times among the guesses, always met a locked keypad.
    assert outcomes == {"miss": 30, "locked": 9_970, "opened": 0}
    assert len(digests) == 30
    # A locked attempt reads the keypad row and nothing else.
    assert len(statements) - statements_at_9000 == 999
    assert order.status.value == "delivered"  # the service never moves the order itself


def test_the_yearly_guess_chance_stays_under_one_percent():
    assert max_guesses_per_year() == 10_950
    assert max_guesses_per_year(operator_releases=12) == 11_310
    # A station's open codes are at most its compartments (one order each); 40 is a large station.
    assert guess_chance_per_year(40, operator_releases=12) == pytest.approx(0.004524)
    assert guess_chance_per_year(88, operator_releases=12) < 0.01 <= guess_chance_per_year(89, operator_releases=12)


def test_issuing_gives_up_after_twenty_draws_that_all_clash(station, now, monkeypatch):
    monkeypatch.setattr(codes.secrets, "randbelow", lambda n: 55555555)
    _issue(station, now)
    with pytest.raises(RuntimeError):
        _issue(station, now)
    assert count_active_codes(station.id, now=now) == 1
