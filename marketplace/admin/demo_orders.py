"""The living demo: residents' orders on the coming delivery days, and a closed day on tour.

For every sub-region: its demo residents, at least `ORDERS_PER_DAY` orders on each of its next
two delivery days still open for ordering, and the latest delivery day whose cut-off has passed
with orders, its tours planned and published. Orders go through `submit_order` (`place_order`,
then the payment's start), the one path the shop uses: pay on pickup, confirmed at once. The days follow `now`: seeding on a later day tops
the new days up and plans the new closed day; seeding twice on the same day adds nothing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.accounts.models import Membership, Role, User
from marketplace.admin import demo_data as data
from marketplace.admin.demo_invoices import allow_residents_to_pay_by_invoice
from marketplace.catalog.models import Producer, Product, Temperature
from marketplace.core.clock import local_today
from marketplace.core.errors import DomainError
from marketplace.delivery.models import Tour, TourStatus
from marketplace.delivery.services import (
    create_plan_run,
    finish_plan_run,
    plan_day,
    publish_tours,
    start_plan_run,
)
from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.models import Fulfilment, Order
from marketplace.payments.providers import first_offered_method
from marketplace.payments.services import submit_order
from marketplace.payments.standing import UNATTENDED_METHODS as UNATTENDED
from marketplace.pickup.cold_chain import is_open_on, temperatures_kept
from marketplace.pickup.models import PickupPlace
from marketplace.pickup.reservations import NoRoom
from marketplace.regions.models import DoorWindow, Municipality, Place, SubRegion
from marketplace.regions.schedule import DeliveryDay, get_delivery_day, list_sub_region_delivery_days

RESIDENT_EMAIL = "bewohner-{slug}-{n:02d}@example.org"
OPEN_DAYS = 2
# Orders of the closed day stand for ones placed before its cut-off.
PLACED_BEFORE_CUTOFF = timedelta(hours=6)
# A product is offered while it has this much stock left (the demo should not sell out).
STOCK_RESERVE = 10


@dataclass
class ActivityReport:
    residents_added: int = 0
    orders_added: int = 0
    orders_refused: int = 0
    tours_published: int = 0


@dataclass(frozen=True)
class _Option:
    """One way to receive an order on a day, with the temperature classes it keeps."""

    choice: FulfilmentChoice
    keeps: frozenset[Temperature]
    minimum_cents: int = 0


def seed_activity(
    *, now: datetime, password_hash: str, plan_seconds: float = 1.0, solver_workers: int | None = 1,
    osrm_url: str | None = None,
) -> ActivityReport:
    """Top up every sub-region's demo orders for the days around `now`; plan and publish its closed day."""
    report = ActivityReport()
    sub_regions = db.session.scalars(
        select(SubRegion).options(joinedload(SubRegion.schedule)).order_by(SubRegion.id)
    ).all()
    catalogue = _load_catalogue()
    stock_left = {p.id: p.stock for p in catalogue}
    for sub_region in sub_regions:
        if sub_region.schedule is None:
            continue
        residents, added = _ensure_residents(sub_region, password_hash)
        report.residents_added += added
        # They may pay by invoice, so parcel stations (where nobody takes cash) get orders too.
        db.session.flush()
        allow_residents_to_pay_by_invoice(now)
        closed = get_last_closed_day(sub_region, now)
        days = [(day, now) for day in list_sub_region_delivery_days(sub_region, now=now, count=OPEN_DAYS)]
        if closed is not None:
            days.append((closed, min(now, closed.cutoff_at - PLACED_BEFORE_CUTOFF)))
        for day, placed_at in days:
            report.orders_added += _top_up_day(
                sub_region, day, residents, catalogue, stock_left, placed_at=placed_at, report=report,
            )
        if closed is not None:
            report.tours_published += _plan_and_publish(
                sub_region, closed.date, now=now, seconds=plan_seconds, workers=solver_workers,
                osrm_url=osrm_url,
            )
    return report


def get_last_closed_day(sub_region: SubRegion, now: datetime) -> DeliveryDay | None:
    """The latest delivery day whose cut-off lies before `now` (one ahead of today if there is one)."""
    schedule = sub_region.schedule
    start = local_today(now) + timedelta(days=schedule.cutoff_days_before + 1)
    for back in range(22):
        day = get_delivery_day(
            start - timedelta(days=back), weekdays=schedule.weekdays,
            cutoff_days_before=schedule.cutoff_days_before, cutoff_time=schedule.cutoff_time,
        )
        if day is not None and day.cutoff_at <= now:
            return day
    return None


def _ensure_residents(sub_region: SubRegion, password_hash: str) -> tuple[list[User], int]:
    """The sub-region's demo residents, in order; the missing ones created."""
    emails = [RESIDENT_EMAIL.format(slug=sub_region.slug, n=n + 1) for n in range(data.RESIDENTS_PER_SUB_REGION)]
    have = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    places = db.session.scalars(
        select(Place).join(Municipality).where(Municipality.sub_region_id == sub_region.id).order_by(Place.id)
    ).all()
    rng = random.Random(f"residents-{sub_region.slug}")
    added = 0
    for n, email in enumerate(emails):
        # Drawn for every resident, so that each keeps its name whichever ones exist already.
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        street, number = rng.choice(data.STREETS), rng.randint(1, 60)
        place = places[n % len(places)]
        dlat, dlon = rng.uniform(-0.002, 0.002), rng.uniform(-0.003, 0.003)
        if email in have:
            continue
        user = User(
            email=email, name=f"{first} {last}", password_hash=password_hash, locale="de",
            street=f"{street} {number}", postcode=place.postcode, town=place.name, home_place=place,
            home_lat=place.lat + dlat, home_lon=place.lon + dlon,
        )
        user.memberships.append(Membership(role=Role.RESIDENT))
        db.session.add(user)
        have[email] = user
        added += 1
    if added:
        db.session.flush()
    return [have[e] for e in emails], added


def _load_catalogue() -> list[Product]:
    """The demo producers' own goods (not the generated benchmark products), by id."""
    names = {good[0] for _, _, _, goods in data.PRODUCERS for good in goods}
    return db.session.scalars(
        select(Product).join(Producer)
        .where(Product.name.in_(names), Product.is_active.is_(True), Producer.is_approved.is_(True))
        .options(joinedload(Product.producer).joinedload(Producer.place).joinedload(Place.municipality))
        .order_by(Product.id)
    ).unique().all()


def _options(sub_region: SubRegion, day: date) -> list[_Option]:
    """Stations, the sales points open on `day`, and the door where offered."""
    places = db.session.scalars(
        select(PickupPlace)
        .where(PickupPlace.sub_region_id == sub_region.id, PickupPlace.is_active.is_(True),
               PickupPlace.is_approved.is_(True))
        .options(selectinload(PickupPlace.opening_hours))
        .order_by(PickupPlace.id)
    ).all()
    options = [
        _Option(FulfilmentChoice(kind=place.kind.value, pickup_place_id=place.id), temperatures_kept(place))
        for place in places if is_open_on(place, day)
    ]
    if sub_region.door_delivery:
        windows = [w.label for w in db.session.scalars(
            select(DoorWindow).where(DoorWindow.sub_region_id == sub_region.id).order_by(DoorWindow.starts))]
        for window in windows or [None]:
            options.append(_Option(
                FulfilmentChoice(kind=Fulfilment.DOOR.value, window=window), frozenset(Temperature),
                minimum_cents=sub_region.door_min_order_cents,
            ))
    return options


def _top_up_day(
    sub_region: SubRegion, day: DeliveryDay, residents: list[User], catalogue: list[Product],
    stock_left: dict[int, int | None], *, placed_at: datetime, report: ActivityReport,
) -> int:
    """Orders of the demo residents on `day` up to `ORDERS_PER_DAY`, at most one per resident."""
    resident_ids = [r.id for r in residents]
    have = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.sub_region_id == sub_region.id, Order.delivery_date == day.date,
        Order.resident_id.in_(resident_ids),
    ))
    if have >= data.ORDERS_PER_DAY:
        return 0
    # Only places some payment method fits (pay on pickup never at a parcel station).
    options = [o for o in _options(sub_region, day.date) if first_offered_method(residents[0], o.choice.kind, UNATTENDED)]
    goods = [p for p in catalogue if p.is_available_on(day.date)]
    local = [p for p in goods if p.producer.place.municipality.sub_region_id == sub_region.id]
    rng = random.Random(f"orders-{sub_region.slug}-{day.date.isoformat()}")
    # Each day other residents order first (with more residents than orders a day, some skip a day).
    first_resident = day.date.toordinal() % len(residents)
    added = 0
    for n in range(data.ORDERS_PER_DAY):
        # Drawn for every order, so that a top-up continues where the last one stopped.
        option = options[n % len(options)]
        basket = _basket(rng, option, goods, local, stock_left)
        if n < have or not basket:
            continue
        try:
            _submit(residents[(first_resident + n) % len(residents)], basket, day.date, option.choice,
                    placed_at)
        except DomainError:
            # A refusal writes nothing (someone changed the demo's stock or places): the day
            # gets one order fewer rather than `make run` failing; the report counts it.
            report.orders_refused += 1
            continue
        for product_id, quantity in basket:
            if stock_left[product_id] is not None:
                stock_left[product_id] -= quantity
        added += 1
    return added


def _submit(resident: User, basket: list[tuple[int, int]], day: date, choice: FulfilmentChoice,
            placed_at: datetime) -> None:
    """Place the order as the shop does; where the place is full that day, at the nearest place
    the checkout names that still has room, as a resident would."""
    order = {"resident": resident, "items": basket, "delivery_date": day, "now": placed_at}
    try:
        submit_order(fulfilment=choice, payment_method=first_offered_method(resident, choice.kind, UNATTENDED),
                     **order)
    except NoRoom as full:
        # The nearest alternative the resident can pay at unattended (nobody takes cash at a station).
        for alternative in full.alternatives:
            method = first_offered_method(resident, alternative.place.kind.value, UNATTENDED)
            if method:
                place = alternative.place
                submit_order(fulfilment=FulfilmentChoice(kind=place.kind.value, pickup_place_id=place.id),
                             payment_method=method, **order)
                return
        raise


def _basket(rng: random.Random, option: _Option, goods: list[Product], local: list[Product],
            stock_left: dict[int, int | None]) -> list[tuple[int, int]]:
    """Two to five goods the place keeps cold enough, one from a producer of the sub-region
    first; filled up to the door minimum where there is one."""

    def fits(p: Product) -> bool:
        left = stock_left[p.id]
        return p.temperature in option.keeps and (left is None or left >= STOCK_RESERVE)

    candidates = [p for p in goods if fits(p)]
    nearby = [p for p in local if fits(p)] or candidates
    if not candidates:
        return []
    chosen = {rng.choice(nearby).id: rng.randint(1, 2)}
    for product in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 4))):
        chosen.setdefault(product.id, rng.randint(1, 2))
    prices = {p.id: p.price_cents for p in candidates}
    while sum(prices[i] * q for i, q in chosen.items()) < option.minimum_cents:
        chosen.setdefault(rng.choice(candidates).id, 1)
        if len(chosen) >= len(candidates):
            break
    return sorted(chosen.items())


def _plan_and_publish(sub_region: SubRegion, day: date, *, now: datetime, seconds: float,
                      workers: int | None, osrm_url: str | None) -> int:
    """Plan the day unless it has tours already; publish what is planned. Returns tours published."""
    statuses = set(db.session.scalars(select(Tour.status).distinct().where(
        Tour.delivery_date == day, Tour.sub_region_id == sub_region.id)))
    if TourStatus.PUBLISHED in statuses:
        return 0
    if not statuses:
        run = start_plan_run(create_plan_run(day=day, sub_region=sub_region, seconds=seconds, now=now), now=now)
        plan_day(day=day, sub_region=sub_region, seconds=seconds, now=now, osrm_url=osrm_url, run=run,
                 workers=workers)
        finish_plan_run(run, now=now)
    if not db.session.scalar(select(func.count()).select_from(Tour).where(
            Tour.delivery_date == day, Tour.sub_region_id == sub_region.id, Tour.status == TourStatus.PLANNED)):
        return 0  # nothing the vehicles could take (no vehicle, or every stop unserved)
    return publish_tours(day=day, sub_region=sub_region, now=now)
