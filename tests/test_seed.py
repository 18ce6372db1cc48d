"""`flask demo seed`: the demo region, complete and idempotent."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from marketplace.accounts.models import Role, User
from marketplace.admin import demo_data as data
from marketplace.admin.demo import seed_demo, staff_emails
from marketplace.admin.demo_invoices import DELIVERED_KEY
from marketplace.admin.demo_orders import get_last_closed_day
from marketplace.catalog.models import Producer, Product, Temperature
from marketplace.delivery.models import Tour, TourKind, TourStatus
from marketplace.extensions import db as database
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod
from marketplace.pickup.models import ParcelStation, SalesPoint
from marketplace.regions.models import DeliverySchedule, Municipality, Place, SubRegion
from marketplace.regions.schedule import list_sub_region_delivery_days
from tests.conftest import NOW, empty_all_tables, login

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


def test_seed_command_reports_and_is_repeatable(runner):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    second = runner.invoke(args=["demo", "seed"])
    assert "already there" in second.output


def test_seeding_products_leaves_the_planner_statistics_behind(runner, db):
    # Without them SQLite's planner guesses, and may pick a plan that reads the whole catalogue.
    result = runner.invoke(args=["demo", "seed", "--products", "1000"])  # 860 come with the region
    assert result.exit_code == 0, result.output
    if db.engine.dialect.name == "sqlite":
        stats = db.session.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'products'"))
        assert stats.scalar() > 0
    else:
        rows = db.session.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'products'"))
        assert rows.scalar() >= 1000


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
    assert re.search(r"added 0 products, \d+ residents, [1-9]\d+ orders, published [1-9]\d* tours", result.output)

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


# -- the living demo, seeded once for the tests that only read it ----------------------------
# Seeding it takes most of a minute on PostgreSQL. These tests come last in the module: once
# the shared demo is there, no test of this module that empties the database runs after them
# (pytest keeps a module's order on each xdist worker).

@pytest.fixture(scope="module")
def _seeded_once(app):
    with app.app_context():
        seed_demo(now=NOW, password_hash_method="pbkdf2:sha256:1000")
        database.session.commit()
        report = _seed_living(database, NOW)
        database.session.remove()
    yield report
    with app.app_context():
        empty_all_tables()
        database.session.remove()


@pytest.fixture
def seeded(app, _seeded_once):
    """The shared living demo: a test may re-seed it (which must change nothing), not change it."""
    with app.app_context():
        yield database, _seeded_once
        database.session.rollback()
        database.session.remove()


def test_living_demo_gives_every_sub_region_orders_on_its_coming_days_and_its_closed_day(seeded):
    db, report = seeded
    days = _demo_days(NOW)
    assert len(days) == 4
    total = 0
    for sub, (open_days, closed) in days.items():
        assert len(open_days) == 2 and closed is not None and closed.cutoff_at <= NOW
        for day in [*open_days, closed]:
            orders = _orders_of(sub, day.date)
            total += len(orders)
            assert len(orders) >= 20, (sub.name, day)
            # Placed as the shop places them: pay on pickup, confirmed, before the cut-off.
            assert {o.status for o in orders} == {OrderStatus.CONFIRMED}
            assert {o.payment_method for o in orders} == {PaymentMethod.PAY_ON_PICKUP}
            assert all(o.created_at < o.cutoff_at == day.cutoff_at for o in orders)
            assert all(o.total_cents == sum(line.total_cents for line in o.lines) + o.delivery_fee_cents > 0
                       for o in orders)
            producers = {po.producer_id for o in orders for po in o.producer_orders}
            assert len(producers) >= 4, (sub.name, day)
            # Parcel stations need a method paid in advance (invoice, Stripe): without one, the
            # sales points open that day (one on some Saturdays) take the pickup orders.
            assert len({o.pickup_place_id for o in orders if o.pickup_place_id}) >= 1, (sub.name, day)
            assert len({o.resident_id for o in orders}) == len(orders)  # one order per resident and day
            doors = [o for o in orders if o.fulfilment == Fulfilment.DOOR]
            if sub.door_delivery:
                assert len(doors) >= 2 and all(o.items_total_cents >= sub.door_min_order_cents for o in doors)
            else:
                assert doors == []
    assert report.activity.orders_added == total and report.activity.orders_refused == 0
    assert report.assisted_orders_added == 1  # Erna Weber's, placed at the Dorfladen Kehrig
    # Several residents per sub-region, each at home in one of its villages.
    residents = db.session.scalars(select(User).where(User.email.like("bewohner-%"))).all()
    assert len(residents) == report.activity.residents_added >= 4 * 20
    assert all(r.home_place and r.street and r.postcode and " " in r.name for r in residents)
    # The demo producer has lines on the coming days.
    schmitz = db.session.scalars(select(Producer).where(Producer.name == "Hofladen Schmitz")).one()
    eifel = next(s for s in days if s.name == "Eifel")
    for day in days[eifel][0]:
        assert any(po.producer_id == schmitz.id for o in _orders_of(eifel, day.date) for po in o.producer_orders)


def test_living_demo_plans_and_publishes_the_closed_day(seeded):
    db, report = seeded
    for sub, (open_days, closed) in _demo_days(NOW).items():
        tours = db.session.scalars(select(Tour).where(
            Tour.sub_region_id == sub.id, Tour.delivery_date == closed.date)).all()
        assert {t.status for t in tours} == {TourStatus.PUBLISHED}, sub.name
        assert any(t.kind == TourKind.DISTRIBUTION and t.visits for t in tours), sub.name
        # The coming days stay for the coordinator to plan.
        assert not db.session.scalars(select(Tour).where(
            Tour.sub_region_id == sub.id, Tour.delivery_date.in_([d.date for d in open_days]))).all()
    assert report.activity.tours_published == db.session.scalar(select(func.count()).select_from(Tour))


def test_the_eifel_driver_opens_the_published_tour(seeded, app):
    db, _ = seeded
    client = app.test_client()
    login(client, "driver@example.org")
    index = client.get("/delivery/driver")
    assert index.status_code == 200
    tour_ids = re.findall(r'href="/delivery/driver/tours/(\d+)"', index.get_data(as_text=True))
    assert tour_ids
    tour = db.session.get(Tour, int(tour_ids[0]))
    assert tour.sub_region.name == "Eifel" and tour.status == TourStatus.PUBLISHED
    html = client.get(f"/delivery/driver/tours/{tour.id}").get_data(as_text=True)
    assert tour.visits[0].label in html and "Zustellung bestätigen" in html


def test_every_sub_region_has_its_demo_coordinator_and_driver(seeded):
    db, _ = seeded
    for sub in db.session.scalars(select(SubRegion)):
        coordinator, driver = staff_emails(sub.name, sub.slug)
        if sub.name != "Eifel":
            assert coordinator == f"coordinator-{sub.slug}@example.org"
            assert driver == f"driver-{sub.slug}@example.org"
        for email, role in ((coordinator, Role.COORDINATOR), (driver, Role.DRIVER)):
            user = db.session.scalars(select(User).where(User.email == email)).one()
            assert user.check_password("landkorb-demo")
            assert user.scopes(role) == [sub.id] or set(user.scopes(role)) == {sub.id}


def test_living_demo_is_idempotent_on_the_same_day(seeded):
    db, _ = seeded
    before = {m: _count(db, m) for m in (Order, Tour, User)}
    again = _seed_living(db, NOW + timedelta(hours=1))
    assert (again.activity.orders_added, again.activity.tours_published, again.activity.residents_added) == (0, 0, 0)
    assert again.staff_added == 0
    assert {m: _count(db, m) for m in before} == before


def test_living_demo_shows_invoicing(seeded):
    from marketplace.accounts.models import Membership
    from marketplace.orders.models import OrderStatus, PaymentMethod
    from marketplace.payments.invoice_models import BillingProfile, Invoice, InvoiceKind

    db, _ = seeded
    delivered = db.session.scalars(select(Order).where(Order.idempotency_key == DELIVERED_KEY)).all()
    assert len(delivered) == 2
    assert {(o.status, o.payment_method) for o in delivered} == {(OrderStatus.PICKED_UP, PaymentMethod.INVOICE)}
    assert {o.delivery_date.month for o in delivered} == {(NOW.month - 2) % 12 + 1}
    kinds = {i.kind for i in db.session.scalars(select(Invoice).where(Invoice.order_id.in_([o.id for o in delivered])))}
    assert {InvoiceKind.SALE, InvoiceKind.PLATFORM_FEE} <= kinds
    residents = select(func.count(func.distinct(Membership.user_id))).where(Membership.role == Role.RESIDENT)
    allowed = select(func.count()).select_from(BillingProfile).where(BillingProfile.may_pay_by_invoice)
    assert db.session.scalar(allowed) == db.session.scalar(residents) > 0
    assert db.session.scalar(select(func.count()).select_from(BillingProfile).where(
        BillingProfile.organisation == "Kita Regenbogen")) == 1
    again = {m: _count(db, m) for m in (Order, Invoice, BillingProfile)}
    _seed_living(db, NOW + timedelta(hours=1))
    assert {m: _count(db, m) for m in again} == again
