"""`flask demo seed`: the demo region, complete and idempotent."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from marketplace.accounts.models import Role, User
from marketplace.admin import demo_data as data
from marketplace.admin.demo import seed_demo
from marketplace.admin.demo_invoices import DELIVERED_KEY
from marketplace.admin.demo_orders import get_last_closed_day
from marketplace.catalog.models import Producer, Product, Temperature
from marketplace.delivery.models import Tour, TourStatus
from marketplace.extensions import db as database
from marketplace.orders.models import Order
from marketplace.pickup.models import ParcelStation, SalesPoint
from marketplace.regions.models import DeliverySchedule, Municipality, Place, SubRegion
from marketplace.regions.schedule import list_sub_region_delivery_days
from tests.conftest import NOW, login

DEMO_EMAILS = [
    "resident@example.org", "producer@example.org", "operator@example.org",
    "salespoint@example.org", "driver@example.org", "coordinator@example.org", "admin@example.org",
]


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_builds_the_demo_region(demo):
    db = demo
    assert [s.name for s in db.session.scalars(select(SubRegion).order_by(SubRegion.name))] == [
        "Eifel", "Maifeld-Mosel", "Pellenz-Rhein", "Rhein-Westerwald",
    ]
    assert _count(db, Municipality) == 10
    assert _count(db, Place) == 27
    assert _count(db, Producer) >= 12
    assert _count(db, Product) >= 120
    vat = set(db.session.scalars(select(Product.vat_rate).distinct()))
    assert vat == {7, 19}
    temperatures = set(db.session.scalars(select(Product.temperature).distinct()))
    assert temperatures == {Temperature.AMBIENT, Temperature.CHILLED, Temperature.FROZEN}
    assert db.session.scalar(select(func.count()).where(Product.stock <= 5)) >= 5
    stations = db.session.scalars(select(ParcelStation)).all()
    assert len(stations) >= 6
    assert all(12 <= len(s.compartments) <= 40 for s in stations)
    assert sum(s.keeps_cold for s in stations) >= 4
    points = db.session.scalars(select(SalesPoint)).all()
    assert len(points) >= 6 and all(p.opening_hours for p in points)
    schedules = db.session.scalars(select(DeliverySchedule)).all()
    assert len(schedules) == 4 and all(len(s.weekdays) == 2 for s in schedules)
    # Producers spread over all four sub-regions.
    sub_regions = {p.place.sub_region.name for p in db.session.scalars(select(Producer))}
    assert len(sub_regions) == 4


def test_seed_creates_one_demo_account_per_role(demo):
    db = demo
    roles = {}
    for email in DEMO_EMAILS:
        user = db.session.scalars(select(User).where(User.email == email)).one()
        assert user.check_password("landkorb-demo")
        roles[email] = user.roles()
    assert set().union(*roles.values()) == set(Role)


def test_seed_is_idempotent(demo):
    db = demo
    before = {m: _count(db, m) for m in (Producer, Product, User, ParcelStation, SalesPoint, Place)}
    report = seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000")
    db.session.commit()
    assert not report.created_region
    assert {m: _count(db, m) for m in before} == before


def test_seed_scales_up_and_stays_idempotent(demo):
    db = demo
    report = seed_demo(now=NOW, products=500, residents=30, orders=40,
                       password_hash_method="pbkdf2:sha256:1000")
    db.session.commit()
    assert _count(db, Product) == 500
    assert report.products_added == 500 - 140
    assert _count(db, Order) == 40
    again = seed_demo(now=NOW, products=500, residents=30, orders=40,
                      password_hash_method="pbkdf2:sha256:1000")
    assert (again.products_added, again.residents_added, again.orders_added) == (0, 0, 0)
    # Every generated order adds up and lies on a delivery day of its sub-region.
    for order in db.session.scalars(select(Order)):
        assert order.total_cents == sum(line.total_cents for line in order.lines) > 0
        assert order.delivery_date.isoweekday() in order.sub_region.schedule.weekdays


# -- the living demo -------------------------------------------------------------------------

def _seed_living(db, now):
    report = seed_demo(now=now, password_hash_method="pbkdf2:sha256:1000", activity=True, plan_seconds=0.1)
    db.session.commit()
    return report


def _demo_days(now):
    """{sub-region: ([the two open days], the closed day)} as the seed picks them at `now`."""
    days = {}
    for sub in database.session.scalars(select(SubRegion).order_by(SubRegion.id)):
        days[sub] = (list_sub_region_delivery_days(sub, now=now, count=2), get_last_closed_day(sub, now))
    return days


def _orders_of(sub, day):
    """The demo residents' own orders of the day (not those staff placed for someone)."""
    return database.session.scalars(select(Order).where(
        Order.sub_region_id == sub.id, Order.delivery_date == day, Order.placed_by_id.is_(None))).all()


@pytest.fixture
def living(demo):
    report = _seed_living(demo, NOW)
    return demo, report














def test_living_demo_tops_up_on_a_later_day(living):
    db, _ = living
    # Not the two delivered invoice orders of last month (admin/demo_invoices.py).
    activity = select(Order).where(Order.idempotency_key.is_distinct_from(DELIVERED_KEY))
    first = {(o.sub_region_id, o.delivery_date) for o in db.session.scalars(activity)}
    later = NOW + timedelta(days=4)
    report = _seed_living(db, later)
    assert report.activity.orders_added > 0 and report.activity.residents_added == 0
    for sub, (open_days, closed) in _demo_days(later).items():
        for day in [*open_days, closed]:
            assert len(_orders_of(sub, day.date)) >= 20, (sub.name, day)
        tours = db.session.scalars(select(Tour).where(
            Tour.sub_region_id == sub.id, Tour.delivery_date == closed.date)).all()
        assert tours and {t.status for t in tours} == {TourStatus.PUBLISHED}, sub.name
    new_days = {(o.sub_region_id, o.delivery_date) for o in db.session.scalars(select(Order))} - first
    assert new_days
    # Days seeded before keep their orders as they were, none added.
    for sub_region_id, day in first:
        assert db.session.scalar(select(func.count()).select_from(Order).where(
            Order.sub_region_id == sub_region_id, Order.delivery_date == day,
            Order.placed_by_id.is_(None), Order.idempotency_key.is_distinct_from(DELIVERED_KEY))) == data.ORDERS_PER_DAY


def test_seed_command_shows_every_role_real_work(runner, client, db):
    """`make run` on a fresh database, today: producer, coordinator and driver find work."""
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "demo region created" in result.output
    assert re.search(r"added 0 products, \d+ residents, [1-9]\d+ orders, published [1-9]\d* tours", result.output)
    # The planner's statistics are left behind: without them SQLite's planner guesses, and may
    # pick a plan that reads the whole catalogue.
    if db.engine.dialect.name == "sqlite":
        assert db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'products'")) > 0
    else:
        # -1 until ANALYZE has run; then the table's row count.
        products = db.session.scalar(select(func.count()).select_from(Product))
        assert db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'products'")) == products

    def page_of(email, url):
        login(client, email)
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        client.post("/logout", data={"csrf_token": token})
        return html

    producer_page = page_of("producer@example.org", "/me/producer")
    assert re.search(r"<h3>[^<]* · \d+ Bestellung(en)?</h3>", producer_page)
    day_page = page_of("coordinator-rhein-westerwald@example.org", "/delivery/rhein-westerwald")
    assert re.search(r"\(2\d Bestellungen\)", day_page)
    assert 'class="tour-map"' in day_page and '<span class="badge ok">' in day_page  # published tours, at once
    tour_page = page_of("driver-maifeld-mosel@example.org", "/delivery/driver")
    if "Zustellung bestätigen" not in tour_page:  # a list of tours: open the first
        first = re.search(r'href="(/delivery/driver/tours/\d+)"', tour_page).group(1)
        tour_page = page_of("driver-maifeld-mosel@example.org", first)
    assert "Zustellung bestätigen" in tour_page

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "already there" in again.output and "added 0 products, 0 residents, 0 orders" in again.output


def test_a_refused_demo_order_is_left_out_and_the_seed_goes_on(demo, monkeypatch):
    from marketplace.admin import demo_orders
    from marketplace.orders.checkout import OutOfStock

    calls, placed = [], []

    def refuse_the_first(**order):
        calls.append(order)
        if len(calls) == 1:
            raise OutOfStock(product="Möhren")
        answer = submit(**order)  # a full place refuses too; the demo then takes its alternative
        placed.append(order)
        return answer

    submit = demo_orders.submit_order
    monkeypatch.setattr(demo_orders, "submit_order", refuse_the_first)
    report = _seed_living(demo, NOW)
    assert report.activity.orders_refused == 1
    own = demo.session.scalar(select(func.count()).select_from(Order).where(
        Order.placed_by_id.is_(None), Order.idempotency_key.is_distinct_from(DELIVERED_KEY)))
    assert report.activity.orders_added == len(placed) == own  # assisted and invoiced demo orders aside
    first = calls[0]
    on_that_day = demo.session.scalar(select(func.count()).select_from(Order).where(
        Order.delivery_date == first["delivery_date"], Order.resident_id == first["resident"].id))
    assert on_that_day == 0
