"""Pickup codes: 8 random digits per order and visit, stored only as an HMAC, single use,
expiring; and the station keypad's lock against guessing (README, "Pickup codes").
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.core.errors import N_, DomainError, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.pickup.alerts import alert_keypad_locked
from marketplace.pickup.models import (
    CompartmentReservation,
    CompartmentState,
    HowIdentified,
    KeypadMiss,
    KeypadState,
    ParcelStation,
    PickupCode,
    PickupStay,
)
from marketplace.pickup.server_keys import PICKUP_CODES, derive_key, pickup_code_cipher

CODE_DIGITS = 8
MISSES_IN_ROW = 10                   # then the keypad locks for SHORT_LOCK
SHORT_LOCK = timedelta(minutes=15)
MISSES_PER_DAY = 30                  # within MISS_WINDOW: locked until the operator releases it
MISS_WINDOW = timedelta(hours=24)
MAX_DRAWS = 20
_CODE = re.compile(r"[0-9]{8}")


class CodeRefused(DomainError):
    """A refused pickup; `fields` go into the JSON problem next to error and detail."""

    fields: dict[str, Any] = {}


class CodeMissed(CodeRefused):
    """A wrong code, counted toward the lock: says how many more the keypad takes."""

    def __init__(self, attempts_left: int) -> None:
        super().__init__()
        self.fields = {"attempts_left": attempts_left}


class UnknownCode(CodeMissed, NotFound):
    code = "unknown_code"
    message = N_("Dieser Abholcode ist nicht gültig.")


class InvalidCode(CodeMissed, InvalidInput):
    code = "invalid_code"
    message = N_("Ein Abholcode besteht aus 8 Ziffern.")


class KeypadLocked(CodeRefused):
    status = 423
    code = "keypad_locked"
    message = N_("Das Tastenfeld ist nach zu vielen falschen Codes gesperrt.")

    def __init__(self, locked_until: datetime | None) -> None:
        super().__init__()
        self.fields = {"locked_until": locked_until.isoformat() if locked_until else None}


class CodeNotIssuable(DomainError):
    status = 409
    code = "code_not_issuable"
    message = N_("Für diese Bestellung kann kein Abholcode ausgegeben werden.")


@dataclass(frozen=True)
class Redemption:
    """What a redeemed code opens: the order (moved on by the caller) and its compartments."""

    code: PickupCode
    order: Any
    compartments: list[str]


def code_digest(pickup_place_id: int, code: str) -> str:
    """The keyed hash a code is stored as; bound to its place, so a code elsewhere is unknown."""
    message = f"{pickup_place_id}:{code}".encode()
    return hmac.new(derive_key(PICKUP_CODES), message, hashlib.sha256).hexdigest()


def _open_code_with(place_id: int, digest: str) -> PickupCode | None:
    return db.session.scalars(select(PickupCode).where(
        PickupCode.pickup_place_id == place_id, PickupCode.digest == digest, PickupCode.closed_at.is_(None),
    )).first()


def issue_pickup_code(order, *, now: datetime, expires_at: datetime) -> str:
    """A new code for `order` at its pickup place, returned in plain digits this once.

    Earlier open codes of the order stop working (one code per visit). The code is unique
    among the place's open codes; a lapsed code with the same digits is closed first."""
    if order.pickup_place_id is None or not expires_at > now:
        raise CodeNotIssuable()
    db.session.execute(update(PickupCode).where(
        PickupCode.order_id == order.id, PickupCode.closed_at.is_(None)
    ).values(closed_at=now))
    for _ in range(MAX_DRAWS):
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = code_digest(order.pickup_place_id, code)
        clash = _open_code_with(order.pickup_place_id, digest)
        if clash is not None and clash.expires_at > now:
            continue  # another order's live code has these digits: draw again
        if clash is not None:
            clash.closed_at = now
        try:
            with db.session.begin_nested():
                db.session.add(PickupCode(
                    order_id=order.id, pickup_place_id=order.pickup_place_id, digest=digest,
                    code_ciphertext=pickup_code_cipher().encrypt(code.encode()).decode(),
                    issued_at=now, expires_at=expires_at,
                ))
        except IntegrityError:
            continue  # a concurrent issue took the same digits
        return code
    # With at most a few hundred open codes among 10⁸, this means something else is wrong.
    raise RuntimeError(f"no pickup code could be stored for order {order.id} in {MAX_DRAWS} draws")


def count_active_codes(pickup_place_id: int, *, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(PickupCode).where(
        PickupCode.pickup_place_id == pickup_place_id, PickupCode.closed_at.is_(None),
        PickupCode.expires_at > now,
    ))


def _keypad(station: ParcelStation) -> KeypadState:
    """The station's keypad row, locked for this transaction (guesses at one station queue)."""
    query = select(KeypadState).where(KeypadState.station_id == station.id).with_for_update()
    state = db.session.scalars(query).first()
    if state is None:
        try:
            with db.session.begin_nested():
                db.session.add(KeypadState(station_id=station.id, misses_in_row=0, is_held=False))
        except IntegrityError:
            pass  # created concurrently
        state = db.session.scalars(query.execution_options(populate_existing=True)).one()
    return state


def _check_lock(state: KeypadState, now: datetime) -> None:
    if state.is_held:
        raise KeypadLocked(None)
    if state.locked_until is not None:
        if now < state.locked_until:
            raise KeypadLocked(state.locked_until)
        state.locked_until, state.misses_in_row = None, 0  # the short lock is over: a new series


def _record_miss(station: ParcelStation, state: KeypadState, now: datetime) -> int:
    """Count a wrong code; lock the keypad when a limit is reached (and tell the operators).
    Returns the attempts left."""
    db.session.execute(delete(KeypadMiss).where(
        KeypadMiss.station_id == state.station_id, KeypadMiss.at <= now - MISS_WINDOW
    ))
    db.session.add(KeypadMiss(station_id=state.station_id, at=now))
    state.misses_in_row += 1
    db.session.flush()
    today = db.session.scalar(select(func.count()).select_from(KeypadMiss).where(
        KeypadMiss.station_id == state.station_id
    ))
    if today >= MISSES_PER_DAY:
        state.is_held, state.held_since, state.locked_until = True, now, None
        alert_keypad_locked(station, locked_until=None, misses=today, now=now)
        return 0
    if state.misses_in_row >= MISSES_IN_ROW:
        state.locked_until = now + SHORT_LOCK
        alert_keypad_locked(station, locked_until=state.locked_until, misses=state.misses_in_row, now=now)
    return max(0, MISSES_IN_ROW - state.misses_in_row)


def redeem_code(station: ParcelStation, code: object, *, now: datetime) -> Redemption:
    """Open what `code` opens at `station`, once; refuse while the keypad is locked.

    A locked keypad checks nothing (KeypadLocked). A wrong, used, expired or malformed code is
    counted as a miss and refused (UnknownCode, InvalidCode); the miss is flushed, and the
    caller commits it before answering. On success the code is closed, the order's compartments
    at the station are freed and the caller moves the order to picked up."""
    state = _keypad(station)
    _check_lock(state, now)
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidCode(_record_miss(station, state, now))
    found = _open_code_with(station.id, code_digest(station.id, code))
    if found is None or found.expires_at <= now:
        if found is not None:
            found.closed_at = now
        raise UnknownCode(_record_miss(station, state, now))
    state.misses_in_row = 0
    found.used_at = found.closed_at = now
    reservations = db.session.scalars(
        select(CompartmentReservation).join(CompartmentReservation.compartment).where(
            CompartmentReservation.order_id == found.order_id,
            CompartmentReservation.released_at.is_(None),
        ).order_by(CompartmentReservation.id)
    ).all()
    labels = []
    for reservation in reservations:
        if reservation.compartment.station_id != station.id:
            continue
        reservation.released_at = now
        labels.append(reservation.compartment.label)
        if reservation.compartment.state != CompartmentState.OUT_OF_SERVICE:
            reservation.compartment.state = CompartmentState.FREE
    stay = db.session.scalars(select(PickupStay).where(PickupStay.order_id == found.order_id)).first()
    if stay is not None:  # the handover log: at the keypad, nobody's hands
        stay.handed_over_at, stay.identified_by = now, HowIdentified.LOCKER_CODE
    db.session.flush()
    return Redemption(code=found, order=found.order, compartments=labels)


def release_keypad(station: ParcelStation, *, now: datetime) -> None:
    """The operator releases a locked keypad: a new series, and the day's misses are forgotten."""
    state = _keypad(station)
    state.is_held, state.held_since, state.locked_until, state.misses_in_row = False, None, None, 0
    db.session.execute(delete(KeypadMiss).where(KeypadMiss.station_id == station.id))
    db.session.flush()


def max_guesses_per_year(operator_releases: int = 0) -> int:
    """The most codes anyone can try at one station in 365 days: within any 24 hours at most 30
    before the lasting lock, and 30 more after each release by the operator."""
    return MISSES_PER_DAY * (365 + operator_releases)


def guess_chance_per_year(active_codes: int, operator_releases: int = 0) -> float:
    """Upper bound of the chance that one of a year's guesses is a valid code (union bound)."""
    return max_guesses_per_year(operator_releases) * active_codes / 10**CODE_DIGITS
