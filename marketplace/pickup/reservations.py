"""Room held for an order on a delivery day: compartments at a parcel station (one order per
compartment and day), crate units within a sales point's daily capacity.

`reserve_compartments` is meant to run inside `place_order`'s transaction. Concurrent callers
never take one compartment twice: on PostgreSQL each picks rows with `FOR UPDATE SKIP LOCKED`
and checks them again once locked; SQLite runs one writer at a time (BEGIN IMMEDIATE). The
partial unique index on (compartment, day) of live reservations is the last guard.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.catalog.models import Temperature
from marketplace.core.errors import N_, Conflict
from marketplace.extensions import db
from marketplace.pickup.models import (
    Compartment,
    CompartmentReservation,
    CompartmentState,
    ParcelStation,
    PickupPlace,
    SalesPoint,
    SalesPointReservation,
)


class NoCompartmentFree(Conflict):
    code = "no_room"
    message = N_("An dieser Paketstation ist an diesem Tag kein passendes Fach mehr frei.")


class SalesPointFull(Conflict):
    code = "no_room"
    message = N_("Diese Verkaufsstelle hat an diesem Tag keinen Platz mehr.")


def _taken_on(delivery_date: date):
    return select(CompartmentReservation.compartment_id).where(
        CompartmentReservation.delivery_date == delivery_date,
        CompartmentReservation.released_at.is_(None),
    )


def _free(station_id: int, delivery_date: date, temperature: Temperature | None = None):
    query = select(Compartment).where(
        Compartment.station_id == station_id,
        Compartment.state != CompartmentState.OUT_OF_SERVICE,
        Compartment.id.not_in(_taken_on(delivery_date)),
    )
    if temperature is not None:
        query = query.where(Compartment.temperature == temperature)
    return query


def plan_compartments(free: list[Compartment], crates: Decimal) -> list[Compartment] | None:
    """Fewest, smallest compartments that hold `crates`: the smallest one that fits them all,
    else the largest one and the rest again. None when the free ones do not suffice."""
    left = sorted(free, key=lambda c: (c.capacity_crates, c.label))
    chosen: list[Compartment] = []
    while crates > 0:
        if not left:
            return None
        fitting = [c for c in left if c.capacity_crates >= crates]
        pick = fitting[0] if fitting else left[-1]
        chosen.append(pick)
        left.remove(pick)
        crates -= pick.capacity_crates
    return chosen


def _lock_still_free(ids: list[int], delivery_date: date) -> set[int]:
    """Lock the compartments `ids` that no one else holds and that are still free that day."""
    locked = select(Compartment.id).where(Compartment.id.in_(ids)).with_for_update(skip_locked=True)
    held = set(db.session.scalars(locked))
    if not held:
        return held
    # A new statement sees what a transaction that held one of these rows has committed.
    free = select(Compartment.id).where(
        Compartment.id.in_(held), Compartment.state != CompartmentState.OUT_OF_SERVICE,
        Compartment.id.not_in(_taken_on(delivery_date)),
    )
    return set(db.session.scalars(free))


def _reserve_one_class(station_id: int, delivery_date: date, temperature: Temperature,
                       crates: Decimal) -> list[Compartment]:
    passed_over: set[int] = set()
    while True:
        free = [c for c in db.session.scalars(_free(station_id, delivery_date, temperature))
                if c.id not in passed_over]
        plan = plan_compartments(free, crates)
        if plan is None:
            raise NoCompartmentFree()
        ids = [c.id for c in plan]
        usable = _lock_still_free(ids, delivery_date)
        if usable == set(ids):
            return plan
        passed_over |= set(ids) - usable  # another checkout has them: plan around them


def reserve_compartments(*, station: ParcelStation, delivery_date: date,
                         crates_by_temperature: Mapping[Temperature | str, Decimal | int | float],
                         order_id: int) -> list[Compartment]:
    """Reserve compartments of `station` for order `order_id` on `delivery_date`, per
    temperature class enough for its crate units; refuses with NoCompartmentFree and then
    reserves nothing. Flushes; the caller commits (with the order and its stock)."""
    chosen: list[tuple[Compartment, Decimal]] = []
    for temperature, crates in sorted(crates_by_temperature.items()):
        crates = Decimal(str(crates))
        if crates <= 0:
            continue
        plan = _reserve_one_class(station.id, delivery_date, Temperature(temperature), crates)
        for compartment in plan:
            share = min(crates, Decimal(compartment.capacity_crates))
            chosen.append((compartment, share))
            crates -= share
    try:
        with db.session.begin_nested():
            db.session.add_all(CompartmentReservation(
                compartment_id=compartment.id, order_id=order_id, delivery_date=delivery_date,
                crate_units=share,
            ) for compartment, share in chosen)
    except IntegrityError:
        raise NoCompartmentFree() from None
    return [compartment for compartment, _ in chosen]


def _replacement(reservation: CompartmentReservation, exclude: set[int]) -> Compartment:
    """A free compartment of the same temperature class that holds the reservation's crates."""
    broken = reservation.compartment
    while True:
        free = [c for c in db.session.scalars(_free(broken.station_id, reservation.delivery_date, broken.temperature))
                if c.id not in exclude and c.state == CompartmentState.FREE
                and c.capacity_crates >= reservation.crate_units]
        if not free:
            raise NoCompartmentFree()
        pick = min(free, key=lambda c: (c.capacity_crates, c.label))
        if _lock_still_free([pick.id], reservation.delivery_date):
            return pick
        exclude.add(pick.id)


def _holds_another_order(compartment: Compartment, order_id: int) -> bool:
    """Goods of an earlier day's order still wait in it (reservations are per day)."""
    if compartment.state != CompartmentState.OCCUPIED:
        return False
    return db.session.scalar(select(CompartmentReservation.id).where(
        CompartmentReservation.compartment_id == compartment.id, CompartmentReservation.released_at.is_(None),
        CompartmentReservation.order_id != order_id,
    ).limit(1)) is not None


def fill_compartments(*, station: ParcelStation, order_id: int, delivery_date: date,
                      now: datetime) -> list[Compartment]:
    """The driver puts an order into its reserved compartments, which become occupied; one that
    went out of service since, or still holds an earlier day's uncollected order, is replaced
    by a free fitting one first. Refuses with
    NoCompartmentFree (nothing changed) when no replacement is free. Calling it again is harmless."""
    reservations = db.session.scalars(
        select(CompartmentReservation).join(CompartmentReservation.compartment).where(
            CompartmentReservation.order_id == order_id, CompartmentReservation.delivery_date == delivery_date,
            CompartmentReservation.released_at.is_(None), Compartment.station_id == station.id,
        ).order_by(Compartment.label)
    ).all()
    taken: set[int] = set()
    plan: list[tuple[CompartmentReservation, Compartment]] = []
    for reservation in reservations:
        target = reservation.compartment
        if target.state == CompartmentState.OUT_OF_SERVICE or _holds_another_order(target, order_id):
            target = _replacement(reservation, taken)
        taken.add(target.id)
        plan.append((reservation, target))
    filled = []
    for reservation, target in plan:
        if target.id != reservation.compartment_id:
            reservation.released_at = now
            db.session.flush()  # the old one is released before the new one is live
            db.session.add(CompartmentReservation(
                compartment_id=target.id, order_id=order_id, delivery_date=delivery_date,
                crate_units=reservation.crate_units,
            ))
        target.state = CompartmentState.OCCUPIED
        filled.append(target)
    db.session.flush()
    return filled


def release_reservations(*, order_id: int, now: datetime) -> int:
    """Give an order's compartments or sales-point room back (cancelled, expired, collected);
    returns how many reservations were released."""
    released = 0
    for model in (CompartmentReservation, SalesPointReservation):
        result = db.session.execute(update(model).where(
            model.order_id == order_id, model.released_at.is_(None),
        ).values(released_at=now))
        released += result.rowcount
    return released


def _sales_point_used(place_id: int, delivery_date: date) -> dict[Temperature, Decimal]:
    used = dict.fromkeys(Temperature, Decimal(0))
    rows = db.session.execute(
        select(SalesPointReservation.temperature, func.sum(SalesPointReservation.crate_units))
        .where(SalesPointReservation.pickup_place_id == place_id,
               SalesPointReservation.delivery_date == delivery_date,
               SalesPointReservation.released_at.is_(None))
        .group_by(SalesPointReservation.temperature)
    )
    for temperature, total in rows:
        used[Temperature(temperature)] = Decimal(total)
    return used


def reserve_sales_point_room(*, sales_point: SalesPoint, delivery_date: date,
                             crates_by_temperature: Mapping[Temperature | str, Decimal | int | float],
                             order_id: int) -> list[SalesPointReservation]:
    """Hold crate units per temperature class at a sales point for an order on a day, within its
    capacity (None: not limited); refuses with SalesPointFull and then holds nothing.

    Reservations at one place queue on its row (`FOR UPDATE` on PostgreSQL; SQLite has one
    writer), so the sum they check cannot change under them. Flushes; the caller commits."""
    place = db.session.scalars(
        select(SalesPoint).where(SalesPoint.id == sales_point.id).with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    used = _sales_point_used(place.id, delivery_date)
    wanted = {Temperature(t): Decimal(str(c)) for t, c in crates_by_temperature.items() if Decimal(str(c)) > 0}
    for temperature, crates in wanted.items():
        capacity = place.capacity_for(temperature)
        if capacity is not None and used[temperature] + crates > capacity:
            raise SalesPointFull()
    rows = [SalesPointReservation(pickup_place_id=place.id, order_id=order_id, delivery_date=delivery_date,
                                  temperature=temperature, crate_units=crates)
            for temperature, crates in sorted(wanted.items())]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def sales_point_room_left(sales_point: SalesPoint, delivery_date: date) -> dict[str, float | None]:
    """Crate units a sales point still takes that day per temperature class (None: not limited)."""
    used = _sales_point_used(sales_point.id, delivery_date)
    left: dict[str, float | None] = {}
    for temperature in Temperature:
        capacity = sales_point.capacity_for(temperature)
        left[temperature.value] = None if capacity is None else float(max(Decimal(0), capacity - used[temperature]))
    return left


def count_free_compartments(station: ParcelStation, delivery_date: date) -> dict[str, int]:
    """Free compartments of a station on a day, per temperature class."""
    counts = dict.fromkeys((t.value for t in Temperature), 0)
    for compartment in db.session.scalars(_free(station.id, delivery_date)):
        counts[compartment.temperature.value] += 1
    return counts


def get_offered_place(place_id: int) -> PickupPlace | None:
    """An approved, active pickup place, or None (as good as unknown to residents)."""
    place = db.session.get(PickupPlace, place_id)
    return place if place is not None and place.is_active and place.is_approved else None
