"""Two staff members confirm the same receipt, or hand the same order over, at once (real commits)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from threading import Barrier

import pytest
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.accounts.models import Role, User
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.notifications.models import Notification
from marketplace.orders.collection import hand_over
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.pickup.collection import get_stay, put_into_place, receive_at_sales_point
from marketplace.pickup.models import HowIdentified, PickupCode
from tests import factories as f

AT = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
CALLERS = 4


@pytest.fixture
def threaded_app(database_url, db):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CALLERS, "max_overflow": 0, "pool_timeout": 60})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def arrived(db):
    point = f.make_sales_point()
    staff = [f.make_user(role=Role.SALES_POINT_STAFF, scope_id=point.id) for _ in range(CALLERS)]
    order = f.make_order(f.make_user(), [(f.make_product(), 1)], place=point, day=date(2026, 3, 3),
                         status=OrderStatus.DELIVERED)
    put_into_place([order], now=AT)
    ids = order.id, [s.id for s in staff]
    db.session.commit()  # nothing left open: on SQLite it would hold the write lock
    return ids


def _fire(app, order_id, staff_ids, act):
    """Each staff member in a thread of their own, released together; each commits or refuses."""
    barrier = Barrier(len(staff_ids))

    def run(staff_id):
        with app.app_context():
            barrier.wait(timeout=30)  # before any query: on SQLite a transaction holds the writer's turn
            try:
                act(get_stay(order_id), db.session.get(User, staff_id))
                db.session.commit()
                return "ok"
            except DomainError as error:
                db.session.rollback()
                return error.code

    with ThreadPoolExecutor(max_workers=len(staff_ids)) as pool:
        return sorted(pool.map(run, staff_ids, timeout=120))


def test_a_receipt_confirmed_at_once_issues_one_code(threaded_app, arrived):
    order_id, staff_ids = arrived
    results = _fire(threaded_app, order_id, staff_ids,
                    lambda stay, staff: receive_at_sales_point(stay, staff=staff, now=AT))
    assert results == ["already_received"] * (CALLERS - 1) + ["ok"]
    assert db.session.scalar(select(func.count()).select_from(PickupCode)) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "pickup_ready")) == 1


def test_an_order_handed_over_at_once_is_handed_over_once(threaded_app, arrived):
    order_id, staff_ids = arrived
    _fire(threaded_app, order_id, staff_ids[:1], lambda stay, staff: receive_at_sales_point(stay, staff=staff, now=AT))
    results = _fire(threaded_app, order_id, staff_ids, lambda stay, staff: hand_over(
        stay, staff=staff, identified_by=HowIdentified.ID_CARD, now=AT))
    assert results == ["not_waiting"] * (CALLERS - 1) + ["ok"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == OrderStatus.PICKED_UP)) == 1
