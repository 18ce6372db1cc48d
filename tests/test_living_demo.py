"""The living demo (`flask demo seed` at a given time), seeded once per test worker for these
tests, which only read it: seeding takes most of a minute on PostgreSQL. In a module of its
own, so no test that empties the database runs while it is there."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import Role, User
from marketplace.admin.demo import seed_demo, staff_emails
from marketplace.admin.demo_invoices import DELIVERED_KEY
from marketplace.catalog.models import Producer
from marketplace.delivery.models import Tour, TourKind, TourStatus
from marketplace.extensions import db as database
from marketplace.orders.models import Fulfilment, Order, OrderStatus, PaymentMethod
from marketplace.regions.models import SubRegion
from tests.conftest import NOW, empty_all_tables, login
from tests.test_seed import _count, _demo_days, _orders_of, _seed_living


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
    total = stations = 0
    for sub, (open_days, closed) in days.items():
        assert len(open_days) == 2 and closed is not None and closed.cutoff_at <= NOW
        for day in [*open_days, closed]:
            orders = _orders_of(sub, day.date)
            total += len(orders)
            assert len(orders) >= 20, (sub.name, day)
            # Placed as the shop places them: confirmed, before the cut-off; paid on pickup at
            # sales points and the door, by invoice at parcel stations (nobody takes cash there).
            assert {o.status for o in orders} == {OrderStatus.CONFIRMED}
            assert all(o.payment_method == (PaymentMethod.INVOICE if o.fulfilment == Fulfilment.STATION
                                            else PaymentMethod.PAY_ON_PICKUP) for o in orders), (sub.name, day)
            stations += sum(1 for o in orders if o.fulfilment == Fulfilment.STATION)
            assert all(o.created_at < o.cutoff_at == day.cutoff_at for o in orders)
            assert all(o.total_cents == sum(line.total_cents for line in o.lines) + o.delivery_fee_cents > 0
                       for o in orders)
            producers = {po.producer_id for o in orders for po in o.producer_orders}
            assert len(producers) >= 4, (sub.name, day)
            assert len({o.pickup_place_id for o in orders if o.pickup_place_id}) >= 1, (sub.name, day)
            assert len({o.resident_id for o in orders}) == len(orders)  # one order per resident and day
            doors = [o for o in orders if o.fulfilment == Fulfilment.DOOR]
            if sub.door_delivery:
                assert len(doors) >= 2 and all(o.items_total_cents >= sub.door_min_order_cents for o in doors)
            else:
                assert doors == []
    assert report.activity.orders_added == total and report.activity.orders_refused == 0
    # The parcel stations have orders, with compartments reserved: the operator sees them planned.
    from marketplace.pickup.models import CompartmentReservation

    assert stations >= 20
    assert db.session.scalar(select(func.count()).select_from(CompartmentReservation)) >= stations
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
