"""The coordinator's figures (reports/dashboard.py) and the review of new pickup places."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import Role
from marketplace.catalog.unanswered import record_unanswered_search
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.orders.checkout import list_pickup_places_of
from marketplace.orders.models import OrderStatus
from marketplace.orders.services import add_to_cart
from marketplace.pickup.review import AlreadyReviewed, ReasonRequired, review_pickup_place
from marketplace.reports import dashboard as figures
from tests import factories as f
from tests.conftest import NOW
from tests.orders.helpers import make_world

MONDAY_1, MONDAY_2 = date(2026, 3, 2), date(2026, 3, 9)


@pytest.fixture
def world(db):
    return make_world()


def test_a_village_is_covered_by_an_approved_place_within_2_km_only(world):
    municipality = world.station.place.municipality
    near = f.make_place(municipality, lat=world.station.lat + 0.01, lon=world.station.lon)     # ≈ 1.1 km
    far = f.make_place(municipality, lat=world.station.lat + 0.5, lon=world.station.lon + 0.5)
    waiting = f.make_sales_point(f.make_place(municipality, lat=far.lat, lon=far.lon), is_approved=False)
    db.session.commit()
    rows = {row.place.id: row for row in figures.coverage(world.sub_region.id)}
    assert rows[near.id].covered and rows[near.id].km <= figures.REACH_KM
    assert not rows[far.id].covered and rows[far.id].nearest.id != waiting.id
    assert world.other_station.place.id not in rows  # another sub-region's village


def test_orders_turnover_and_residents_per_day_and_week_with_the_change(world):
    r1, r2 = world.resident, f.make_user(home=world.resident.home_place)
    for resident, day, status in [(r1, MONDAY_1, OrderStatus.CONFIRMED), (r2, MONDAY_1, OrderStatus.DELIVERED),
                                  (r1, date(2026, 3, 4), OrderStatus.CONFIRMED),
                                  (r1, MONDAY_2, OrderStatus.CONFIRMED),
                                  (r2, MONDAY_2, OrderStatus.CANCELLED)]:
        f.make_order(resident, [(world.bread, 2)], place=world.station, day=day, status=status)
    db.session.commit()
    days = figures.orders_per_day(world.sub_region.id, MONDAY_1, date(2026, 3, 15))
    assert [(d.day, d.orders, d.turnover_cents, d.residents) for d in days] == [
        (MONDAY_1, 2, 1800, 2), (date(2026, 3, 4), 1, 900, 1), (MONDAY_2, 1, 900, 1)]
    weeks = figures.orders_per_week(world.sub_region.id, MONDAY_1, date(2026, 3, 15))
    assert [(w.monday, w.orders, w.turnover_cents, w.residents) for w in weeks] == [
        (MONDAY_1, 3, 2700, 2), (MONDAY_2, 1, 900, 1)]
    assert weeks[0].orders_change is None and weeks[1].orders_change == pytest.approx(-0.667, abs=0.001)


def test_tour_fill_rate_and_km_per_order(world):
    vehicle = f.make_vehicle(world.sub_region, capacity_ambient=30, capacity_chilled=10, capacity_frozen=0)
    orders = [f.make_order(world.resident, [(world.bread, 1)], place=world.station) for _ in range(4)]
    tour = f.make_tour(vehicle, [(o, world.station) for o in orders])
    tour.distance_m, tour.load_ambient, tour.load_chilled = 42_000, 8, 2
    f.make_tour(vehicle, [], status=f.TourStatus.PLANNED)  # not published: not counted
    db.session.commit()
    [day] = figures.tours_per_day(world.sub_region.id, date(2026, 3, 1), date(2026, 3, 8))
    assert (day.tours, day.km, day.orders, day.km_per_order, day.fill_rate) == (1, 42.0, 4, 10.5, 0.25)


def test_unserved_demand_residents_out_of_reach_and_sold_out_products_in_baskets(world):
    far_home = f.make_place(world.station.place.municipality, lat=world.station.lat + 0.5, lon=world.station.lon)
    lonely = f.make_user(home=far_home)
    for resident in (world.resident, lonely):
        add_to_cart(user=resident, product_id=world.wine.id, quantity=1)
    world.wine.stock = 0  # sold out since
    db.session.commit()
    assert [u.resident.id for u in figures.residents_out_of_reach(world.sub_region)] == [lonely.id]
    assert [(s.product.id, s.baskets) for s in figures.sold_out_asked_for(world.sub_region.id)] == [(world.wine.id, 2)]


def test_a_new_place_is_approved_its_operator_told_and_it_is_offered(world):
    station = f.make_station(f.make_place(world.station.place.municipality), is_approved=False)
    operator = f.make_user(role=Role.OPERATOR, scope_id=station.id)
    db.session.commit()
    assert [p.id for p in figures.list_places_waiting(world.sub_region.id)] == [station.id]
    review_pickup_place(station, approve=True, now=NOW)
    db.session.commit()
    assert station.id in {p.id for p in list_pickup_places_of(world.sub_region.id)}
    told = db.session.scalars(select(Notification).where(Notification.recipient_id == operator.id)).one()
    assert told.kind == "pickup_place_reviewed" and told.context["approved"] is True
    with pytest.raises(AlreadyReviewed):
        review_pickup_place(station, approve=False, reason="zu spät", now=NOW)
    assert figures.list_places_waiting(world.sub_region.id) == []


def test_declining_needs_a_reason_and_keeps_the_place_off_the_checkout(world):
    point = f.make_sales_point(f.make_place(world.station.place.municipality), is_approved=False)
    staff = f.make_user(role=Role.SALES_POINT_STAFF, scope_id=point.id)
    db.session.commit()
    with pytest.raises(ReasonRequired):
        review_pickup_place(point, approve=False, reason="  ", now=NOW)
    db.session.rollback()
    assert point.reviewed_at is None
    review_pickup_place(point, approve=False, reason="Kein Kühlregal", now=NOW)
    db.session.commit()
    assert (point.is_approved, point.review_note) == (False, "Kein Kühlregal")
    assert point.id not in {p.id for p in list_pickup_places_of(world.sub_region.id)}
    told = db.session.scalars(select(Notification).where(Notification.recipient_id == staff.id)).one()
    assert told.context == {"place_name": point.name, "approved": False, "reason": "Kein Kühlregal"}


def _searched(world, term, times=1, *, at=NOW, sub_region=None):
    for _ in range(times):
        record_unanswered_search(text=term, sub_region_id=(sub_region or world.sub_region).id, now=at)
    db.session.commit()


def test_the_most_frequent_terms_per_week_of_the_sub_region_only(world):
    _searched(world, "Ziegenkäse", 3)
    _searched(world, "honig", 1)
    _searched(world, "Honig ", 2, at=NOW - timedelta(days=7))
    _searched(world, "Dinkelmehl", 5, sub_region=world.other_sub_region)
    rows = figures.unanswered_searches_per_week(world.sub_region.id, MONDAY_1 - timedelta(days=7), MONDAY_1 + timedelta(days=6))
    assert [(r.monday, r.term, r.searches) for r in rows] == [
        (MONDAY_1 - timedelta(days=7), "honig", 2), (MONDAY_1, "ziegenkäse", 3), (MONDAY_1, "honig", 1)]
    top = figures.unanswered_searches_per_week(world.sub_region.id, MONDAY_1, MONDAY_1 + timedelta(days=6), top=1)
    assert [(r.term, r.searches) for r in top] == [("ziegenkäse", 3)]
    assert figures.most_unanswered_terms(world.sub_region.id, MONDAY_1 - timedelta(days=7), MONDAY_1 + timedelta(days=6)) == [
        ("honig", 3), ("ziegenkäse", 3)]
