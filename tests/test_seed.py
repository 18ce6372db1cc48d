"""`flask demo seed`: the demo region, complete and idempotent."""
from __future__ import annotations

from sqlalchemy import func, select, text

from marketplace.accounts.models import Role, User
from marketplace.admin.demo import seed_demo
from marketplace.catalog.models import Producer, Product, Temperature
from marketplace.orders.models import Order
from marketplace.pickup.models import ParcelStation, SalesPoint
from marketplace.regions.models import DeliverySchedule, Municipality, Place, SubRegion
from tests.conftest import NOW

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
