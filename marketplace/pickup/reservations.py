"""Room held for an order on a delivery day: compartments at a parcel station (one order per
compartment and day), crate units within a sales point's daily capacity.

`reserve_compartments` is meant to run inside `place_order`'s transaction. Concurrent callers
never take one compartment twice: on PostgreSQL each picks rows with `FOR UPDATE SKIP LOCKED`
and checks them again once locked; SQLite runs one writer at a time (BEGIN IMMEDIATE). The
partial unique index on (compartment, day) of live reservations is the last guard.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Alternative:
    """A pickup place that still has room for an order that did not fit elsewhere."""

    place: PickupPlace
    distance_km: float | None

    def to_dict(self) -> dict:
        return {"pickup_place_id": self.place.id, "name": self.place.name, "distance_km": self.distance_km}


class NoRoom(Conflict):
    """A pickup place has no room for the order on its delivery day; with the nearest places
    that still have room (`alternatives`, filled in by the checkout)."""

    code = "no_room"
    message = N_("An diesem Abholort ist an diesem Tag kein Platz mehr.")

    def __init__(self, detail: str | None = None, *, alternatives: Iterable[Alternative] = (),
                 **params: object) -> None:
        super().__init__(detail, **params)
        self.alternatives = list(alternatives)

    def extra(self) -> dict:
        return {"alternatives": [alternative.to_dict() for alternative in self.alternatives]}


class NoCompartmentFree(NoRoom):
    message = N_("An dieser Paketstation ist an diesem Tag kein passendes Fach mehr frei.")


class SalesPointFull(NoRoom):
    message = N_("Diese Verkaufsstelle hat an diesem Tag keinen Platz mehr.")


Crates = Mapping[Temperature | str, Decimal | int | float]


def _wanted(crates_by_temperature: Crates) -> dict[Temperature, Decimal]:
    """The classes with goods, as Temperature → Decimal crate units."""
    wanted = {Temperature(t): Decimal(str(c)) for t, c in crates_by_temperature.items()}
    return {t: c for t, c in sorted(wanted.items()) if c > 0}


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


# Goods may also go into a colder compartment that keeps them fine: ambient goods into a
# chilled one when the ambient ones do not hold them (a frozen one would freeze them). Chilled
# and frozen goods need their own class (pickup/cold_chain.py).
ALSO_KEPT_IN = {Temperature.AMBIENT: (Temperature.CHILLED,)}
# Colder goods are planned first: they have fewer compartments to go into.
_COLDEST_FIRST = (Temperature.FROZEN, Temperature.CHILLED, Temperature.AMBIENT)


def _plan_class(free: list[Compartment], temperature: Temperature, crates: Decimal) -> list[Compartment] | None:
    plan = plan_compartments([c for c in free if c.temperature == temperature], crates)
    if plan is None and temperature in ALSO_KEPT_IN:
        kept_in = {temperature, *ALSO_KEPT_IN[temperature]}
        plan = plan_compartments([c for c in free if c.temperature in kept_in], crates)
    return plan


def plan_order(free: Iterable[Compartment], crates_by_temperature: Crates) -> list[tuple[Compartment, Decimal]] | None:
    """The compartments an order's goods go into, each class in compartments of its own class
    (ambient goods, when those do not suffice, also in chilled ones: `ALSO_KEPT_IN`), with the
    crate units each holds; None when the free ones do not suffice. The one rule of "fits" for
    the checkout's offer and the reservation alike."""
    left = list(free)
    wanted = _wanted(crates_by_temperature)
    plans: dict[Temperature, list[tuple[Compartment, Decimal]]] = {}
    for temperature in sorted(wanted, key=_COLDEST_FIRST.index):
        crates = wanted[temperature]
        plan = _plan_class(left, temperature, crates)
        if plan is None:
            return None
        plans[temperature] = []
        for compartment in plan:
            share = min(crates, Decimal(compartment.capacity_crates))
            plans[temperature].append((compartment, share))
            crates -= share
            left.remove(compartment)
    return [pair for temperature in wanted for pair in plans[temperature]]


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


def reserve_compartments(*, station: ParcelStation, delivery_date: date, crates_by_temperature: Crates,
                         order_id: int) -> list[Compartment]:
    """Reserve compartments of `station` for order `order_id` on `delivery_date`, per
    temperature class enough for its crate units; refuses with NoCompartmentFree and then
    reserves nothing. Flushes; the caller commits (with the order and its stock)."""
    passed_over: set[int] = set()
    while True:
        room = load_room([station], [delivery_date])[station.id, delivery_date]
        chosen = plan_order((c for c in room.free_compartments if c.id not in passed_over), crates_by_temperature)
        if chosen is None:
            raise NoCompartmentFree()
        ids = [c.id for c, _ in chosen]
        usable = _lock_still_free(ids, delivery_date)
        if usable == set(ids):
            break
        passed_over |= set(ids) - usable  # another checkout has them: plan around them
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
    """A free compartment that holds the reservation's crates: of the same temperature class,
    else of one that keeps its goods too (an ambient one's goods in a chilled one)."""
    broken = reservation.compartment
    for temperature in (broken.temperature, *ALSO_KEPT_IN.get(broken.temperature, ())):
        while True:
            free = [c for c in db.session.scalars(_free(broken.station_id, reservation.delivery_date, temperature))
                    if c.id not in exclude and c.state == CompartmentState.FREE
                    and c.capacity_crates >= reservation.crate_units]
            if not free:
                break
            pick = min(free, key=lambda c: (c.capacity_crates, c.label))
            if _lock_still_free([pick.id], reservation.delivery_date):
                return pick
            exclude.add(pick.id)
    raise NoCompartmentFree()


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


def _sales_point_used(place_ids: Iterable[int], days: Iterable[date]) -> dict[tuple[int, date], dict[Temperature, Decimal]]:
    """Crate units held at these sales points on these days, per place, day and class."""
    used: dict[tuple[int, date], dict[Temperature, Decimal]] = {}
    place_ids, days = list(place_ids), list(days)
    if not place_ids or not days:
        return used
    rows = db.session.execute(
        select(SalesPointReservation.pickup_place_id, SalesPointReservation.delivery_date,
               SalesPointReservation.temperature, func.sum(SalesPointReservation.crate_units))
        .where(SalesPointReservation.pickup_place_id.in_(place_ids),
               SalesPointReservation.delivery_date.in_(days),
               SalesPointReservation.released_at.is_(None))
        .group_by(SalesPointReservation.pickup_place_id, SalesPointReservation.delivery_date,
                  SalesPointReservation.temperature)
    )
    for place_id, day, temperature, total in rows:
        used.setdefault((place_id, day), {})[Temperature(temperature)] = Decimal(total)
    return used


def _room_left(sales_point: SalesPoint, used: Mapping[Temperature, Decimal]) -> dict[Temperature, Decimal | None]:
    """Crate units left per class (None: not limited) given what is held."""
    left: dict[Temperature, Decimal | None] = {}
    for temperature in Temperature:
        capacity = sales_point.capacity_for(temperature)
        left[temperature] = None if capacity is None else max(
            Decimal(0), Decimal(capacity) - used.get(temperature, Decimal(0)))
    return left


def _fits_left(left: Mapping[Temperature, Decimal | None], crates_by_temperature: Crates) -> bool:
    return all(left[t] is None or crates <= left[t] for t, crates in _wanted(crates_by_temperature).items())


def reserve_sales_point_room(*, sales_point: SalesPoint, delivery_date: date, crates_by_temperature: Crates,
                             order_id: int) -> list[SalesPointReservation]:
    """Hold crate units per temperature class at a sales point for an order on a day, within its
    capacity (None: not limited); refuses with SalesPointFull and then holds nothing.

    Reservations at one place queue on its row (`FOR NO KEY UPDATE` on PostgreSQL; SQLite has one
    writer), so the sum they check cannot change under them. Flushes; the caller commits."""
    place = db.session.scalars(
        # FOR NO KEY UPDATE: the orders that name this place hold a key-share lock on its row
        # (their foreign key); a plain FOR UPDATE would wait for them and deadlock with them.
        select(SalesPoint).where(SalesPoint.id == sales_point.id).with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    ).one()
    used = _sales_point_used([place.id], [delivery_date]).get((place.id, delivery_date), {})
    if not _fits_left(_room_left(place, used), crates_by_temperature):
        raise SalesPointFull()
    rows = [SalesPointReservation(pickup_place_id=place.id, order_id=order_id, delivery_date=delivery_date,
                                  temperature=temperature, crate_units=crates)
            for temperature, crates in _wanted(crates_by_temperature).items()]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def sales_point_room_left(sales_point: SalesPoint, delivery_date: date) -> dict[str, float | None]:
    """Crate units a sales point still takes that day per temperature class (None: not limited)."""
    used = _sales_point_used([sales_point.id], [delivery_date]).get((sales_point.id, delivery_date), {})
    return {t.value: None if left is None else float(left) for t, left in _room_left(sales_point, used).items()}




# -- what the checkout offers and reserves -----------------------------------------------------

@dataclass(frozen=True)
class Room:
    """What a pickup place still takes on a day: its free working compartments (a station), or
    the crate units left per temperature class (a sales point; None: not limited)."""

    free_compartments: tuple[Compartment, ...] = ()
    left: Mapping[Temperature, Decimal | None] | None = field(default=None)

    def fits(self, crates_by_temperature: Crates) -> bool:
        """Whether an order of these crate units would be reserved here (the same rules)."""
        if self.left is not None:
            return _fits_left(self.left, crates_by_temperature)
        return plan_order(self.free_compartments, crates_by_temperature) is not None


def load_room(places: Iterable[PickupPlace], days: Iterable[date]) -> dict[tuple[int, date], Room]:
    """The room of each place on each day, in two queries: the live reservations of the
    stations' compartments, and the crate units held at the sales points. A station's
    compartments are its `working_compartments` (loaded with the checkout's context)."""
    places, days = list(places), sorted(set(days))
    stations = [p for p in places if isinstance(p, ParcelStation)]
    points = [p for p in places if isinstance(p, SalesPoint)]
    taken: set[tuple[int, date]] = set()
    compartment_ids = [c.id for s in stations for c in s.working_compartments]
    if compartment_ids and days:
        taken = {(compartment_id, day) for compartment_id, day in db.session.execute(
            select(CompartmentReservation.compartment_id, CompartmentReservation.delivery_date).where(
                CompartmentReservation.compartment_id.in_(compartment_ids),
                CompartmentReservation.delivery_date.in_(days),
                CompartmentReservation.released_at.is_(None),
            ))}
    used = _sales_point_used([p.id for p in points], days)
    room: dict[tuple[int, date], Room] = {}
    for day in days:
        for station in stations:
            room[station.id, day] = Room(free_compartments=tuple(
                c for c in station.working_compartments if (c.id, day) not in taken))
        for point in points:
            room[point.id, day] = Room(left=_room_left(point, used.get((point.id, day), {})))
    return room


def count_free_compartments(station: ParcelStation, delivery_date: date) -> dict[str, int]:
    """Free compartments of a station on a day, per temperature class (as the checkout counts them)."""
    counts = dict.fromkeys((t.value for t in Temperature), 0)
    for compartment in load_room([station], [delivery_date])[station.id, delivery_date].free_compartments:
        counts[compartment.temperature.value] += 1
    return counts


def reserve_room(*, place: PickupPlace, delivery_date: date, crates_by_temperature: Crates,
                 order_id: int) -> None:
    """Hold room for an order at its pickup place: compartments at a station, crate units at a
    sales point; refuses with NoRoom (NoCompartmentFree, SalesPointFull), holding nothing."""
    if isinstance(place, ParcelStation):
        reserve_compartments(station=place, delivery_date=delivery_date,
                             crates_by_temperature=crates_by_temperature, order_id=order_id)
    elif isinstance(place, SalesPoint):
        reserve_sales_point_room(sales_point=place, delivery_date=delivery_date,
                                 crates_by_temperature=crates_by_temperature, order_id=order_id)


def get_offered_place(place_id: int) -> PickupPlace | None:
    """An approved, active pickup place, or None (as good as unknown to residents)."""
    place = db.session.get(PickupPlace, place_id)
    return place if place is not None and place.is_active and place.is_approved else None
