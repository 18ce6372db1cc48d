"""A coordinator's figures for one sub-region: coverage of its villages, orders and turnover per
delivery day and week, tour fill rate and km per order, and demand Landkorb does not serve yet.
Read-only; each function returns plain rows that the page shows as a chart and a table, and
the CSV download writes as they are."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import distinct, func, select

from marketplace.accounts.models import Membership, Role, User
from marketplace.catalog.models import Product, UnansweredSearch
from marketplace.core.clock import local_datetime, local_today
from marketplace.delivery.models import Tour, TourKind, TourStatus, TourStop, TourStopOrder, Vehicle
from marketplace.extensions import db
from marketplace.orders.models import Cart, CartItem, Order, OrderStatus
from marketplace.pickup.models import PickupPlace
from marketplace.regions.geo import distance_km
from marketplace.regions.models import Municipality, Place, SubRegion

# A village is covered when a station or sales point lies within this distance of it.
REACH_KM = 2.0
# Orders that count as demand served: everything but cancelled and expired ones.
COUNTED = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.IN_TRANSIT,
           OrderStatus.DELIVERED, OrderStatus.PICKED_UP, OrderStatus.NOT_COLLECTED, OrderStatus.RETURNED)


@dataclass(frozen=True)
class VillageCoverage:
    place: Place
    nearest: PickupPlace | None
    km: float | None

    @property
    def covered(self) -> bool:
        return self.km is not None and self.km <= REACH_KM


def list_villages(sub_region_id: int) -> list[Place]:
    return list(db.session.scalars(
        select(Place).join(Municipality).where(Municipality.sub_region_id == sub_region_id)
        .order_by(Place.name, Place.id)
    ))


def list_active_pickup_places(sub_region_id: int) -> list[PickupPlace]:
    return list(db.session.scalars(
        select(PickupPlace).where(PickupPlace.sub_region_id == sub_region_id, PickupPlace.is_active.is_(True),
                                  PickupPlace.is_approved.is_(True)).order_by(PickupPlace.name)
    ))


def coverage(sub_region_id: int) -> list[VillageCoverage]:
    """Every village of the sub-region with its nearest approved, active pickup place."""
    places = list_active_pickup_places(sub_region_id)
    rows = []
    for village in list_villages(sub_region_id):
        ranked = sorted(((distance_km((village.lat, village.lon), (p.lat, p.lon)), p) for p in places),
                        key=lambda pair: (pair[0], pair[1].id))
        km, nearest = ranked[0] if ranked else (None, None)
        rows.append(VillageCoverage(village, nearest, round(km, 1) if km is not None else None))
    return rows


@dataclass(frozen=True)
class DayFigures:
    day: date
    orders: int
    turnover_cents: int
    residents: int


def orders_per_day(sub_region_id: int, start: date, end: date) -> list[DayFigures]:
    """Orders, turnover (order totals) and ordering residents per delivery day in [start, end]."""
    rows = db.session.execute(
        select(Order.delivery_date, func.count(Order.id), func.coalesce(func.sum(Order.total_cents), 0),
               func.count(distinct(Order.resident_id)))
        .where(Order.sub_region_id == sub_region_id, Order.delivery_date.between(start, end),
               Order.status.in_(COUNTED))
        .group_by(Order.delivery_date).order_by(Order.delivery_date)
    ).all()
    return [DayFigures(day, orders, int(turnover), residents) for day, orders, turnover, residents in rows]


@dataclass(frozen=True)
class WeekFigures:
    monday: date
    orders: int
    turnover_cents: int
    residents: int
    orders_change: float | None      # against the week before, as a fraction (0.25 = +25 %)
    turnover_change: float | None


def _change(now: int, before: int | None) -> float | None:
    if not before:
        return None
    return round((now - before) / before, 3)


def orders_per_week(sub_region_id: int, start: date, end: date) -> list[WeekFigures]:
    """The days' figures by ISO week (active residents counted once a week), with the change
    against the week before (None when that week had none)."""
    monday_of = lambda day: day - timedelta(days=day.weekday())  # noqa: E731
    first = monday_of(start)
    rows = db.session.execute(
        select(Order.delivery_date, Order.resident_id, Order.total_cents)
        .where(Order.sub_region_id == sub_region_id, Order.delivery_date.between(first, end),
               Order.status.in_(COUNTED))
    ).all()
    weeks: dict[date, dict] = {}
    monday = first
    while monday <= end:
        weeks[monday] = {"orders": 0, "turnover": 0, "residents": set()}
        monday += timedelta(days=7)
    for day, resident_id, total in rows:
        week = weeks[monday_of(day)]
        week["orders"] += 1
        week["turnover"] += total
        week["residents"].add(resident_id)
    result, previous = [], None
    for monday, week in weeks.items():
        result.append(WeekFigures(
            monday, week["orders"], week["turnover"], len(week["residents"]),
            _change(week["orders"], previous["orders"] if previous else None),
            _change(week["turnover"], previous["turnover"] if previous else None),
        ))
        previous = week
    return result


@dataclass(frozen=True)
class TourFigures:
    day: date
    tours: int
    km: float
    orders: int
    fill_rate: float | None   # crates carried / crates the vans could carry, over the day's tours

    @property
    def km_per_order(self) -> float | None:
        return round(self.km / self.orders, 2) if self.orders else None


def tours_per_day(sub_region_id: int, start: date, end: date) -> list[TourFigures]:
    """Published distribution tours per day: km driven as planned, orders carried, fill rate."""
    tours = db.session.execute(
        select(Tour.delivery_date, Tour.id, Tour.distance_m,
               Tour.load_ambient + Tour.load_chilled + Tour.load_frozen,
               Vehicle.capacity_ambient + Vehicle.capacity_chilled + Vehicle.capacity_frozen)
        .join(Vehicle, Vehicle.id == Tour.vehicle_id)
        .where(Tour.sub_region_id == sub_region_id, Tour.delivery_date.between(start, end),
               Tour.kind == TourKind.DISTRIBUTION, Tour.status == TourStatus.PUBLISHED)
    ).all()
    orders = dict(db.session.execute(
        select(Tour.id, func.count(distinct(TourStopOrder.order_id)))
        .join(TourStop, TourStop.tour_id == Tour.id).join(TourStopOrder, TourStopOrder.stop_id == TourStop.id)
        .where(Tour.sub_region_id == sub_region_id, Tour.delivery_date.between(start, end))
        .group_by(Tour.id)
    ).all())
    days: dict[date, list] = {}
    for day, tour_id, metres, load, capacity in tours:
        entry = days.setdefault(day, [0, 0, 0, 0, 0])
        entry[0] += 1
        entry[1] += metres
        entry[2] += orders.get(tour_id, 0)
        entry[3] += load
        entry[4] += capacity
    return [
        TourFigures(day, n, round(metres / 1000, 1), count, round(load / capacity, 3) if capacity else None)
        for day, (n, metres, count, load, capacity) in sorted(days.items())
    ]


@dataclass(frozen=True)
class UnreachedResident:
    resident: User
    km: float | None   # to the nearest pickup place; None when the sub-region has none


def residents_out_of_reach(sub_region: SubRegion) -> list[UnreachedResident]:
    """Residents at home farther than REACH_KM from every pickup place of their sub-region (when
    it delivers to the door too, they are served, and still listed: the door costs a fee)."""
    places = list_active_pickup_places(sub_region.id)
    residents = db.session.scalars(
        select(User).join(Membership, (Membership.user_id == User.id) & (Membership.role == Role.RESIDENT))
        .join(Place, Place.id == User.home_place_id).join(Municipality, Municipality.id == Place.municipality_id)
        .where(Municipality.sub_region_id == sub_region.id, User.active.is_(True)).order_by(User.name, User.id)
    ).all()
    found = []
    for resident in residents:
        home = ((resident.home_lat, resident.home_lon) if resident.home_lat is not None
                else (resident.home_place.lat, resident.home_place.lon))
        km = min((distance_km(home, (p.lat, p.lon)) for p in places), default=None)
        if km is None or km > REACH_KM:
            found.append(UnreachedResident(resident, round(km, 1) if km is not None else None))
    return found


@dataclass(frozen=True)
class SoldOutAskedFor:
    product: Product
    baskets: int      # residents of the sub-region with it in their basket


def sold_out_asked_for(sub_region_id: int) -> list[SoldOutAskedFor]:
    """Sold-out products that residents of the sub-region keep in their baskets, most asked first."""
    rows = db.session.execute(
        select(Product, func.count(distinct(Cart.user_id)))
        .join(CartItem, CartItem.product_id == Product.id).join(Cart, Cart.id == CartItem.cart_id)
        .join(User, User.id == Cart.user_id).join(Place, Place.id == User.home_place_id)
        .join(Municipality, Municipality.id == Place.municipality_id)
        .where(Municipality.sub_region_id == sub_region_id, Product.stock == 0)
        .group_by(Product.id).order_by(func.count(distinct(Cart.user_id)).desc(), Product.name)
    ).all()
    return [SoldOutAskedFor(product, count) for product, count in rows]


@dataclass(frozen=True)
class UnansweredTerm:
    monday: date      # of the week, in local time
    term: str
    searches: int


def _unanswered_counts(sub_region_id: int, start: date, end: date) -> Counter[tuple[date, str]]:
    """Searches without result asked from the sub-region on the local days [start, end], by
    (Monday of the week, term)."""
    rows = db.session.execute(
        select(UnansweredSearch.searched_at, UnansweredSearch.term)
        .where(UnansweredSearch.sub_region_id == sub_region_id,
               UnansweredSearch.searched_at >= local_datetime(start, time(0)),
               UnansweredSearch.searched_at < local_datetime(end + timedelta(days=1), time(0)))
    ).all()
    counts: Counter[tuple[date, str]] = Counter()
    for searched_at, term in rows:
        day = local_today(searched_at)
        counts[(day - timedelta(days=day.weekday()), term)] += 1
    return counts


def unanswered_searches_per_week(sub_region_id: int, start: date, end: date, *,
                                 top: int | None = None) -> list[UnansweredTerm]:
    """The terms searched from the sub-region that found no product, per week, most frequent
    first in each week (its `top` ones when given); ties by term."""
    weeks: dict[date, list[UnansweredTerm]] = {}
    for (monday, term), n in _unanswered_counts(sub_region_id, start, end).items():
        weeks.setdefault(monday, []).append(UnansweredTerm(monday, term, n))
    result = []
    for monday in sorted(weeks):
        ranked = sorted(weeks[monday], key=lambda row: (-row.searches, row.term))
        result.extend(ranked if top is None else ranked[:top])
    return result


def most_unanswered_terms(sub_region_id: int, start: date, end: date, *, top: int = 10) -> list[tuple[str, int]]:
    """The `top` terms without result over the whole period, with how often each was searched."""
    totals: Counter[str] = Counter()
    for (_, term), n in _unanswered_counts(sub_region_id, start, end).items():
        totals[term] += n
    return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))[:top]


def list_places_waiting(sub_region_id: int) -> list[PickupPlace]:
    """Pickup places of the sub-region not approved yet and not declined."""
    return list(db.session.scalars(
        select(PickupPlace).where(PickupPlace.sub_region_id == sub_region_id, PickupPlace.is_approved.is_(False),
                                  PickupPlace.reviewed_at.is_(None)).order_by(PickupPlace.name)
    ))
