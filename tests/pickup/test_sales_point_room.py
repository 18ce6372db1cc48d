"""A sales point's capacity per delivery day in crate units: held per order, never exceeded, also concurrently."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from threading import Barrier

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.pickup.models import SalesPoint, SalesPointReservation
from marketplace.pickup.reservations import (
    SalesPointFull,
    release_reservations,
    reserve_sales_point_room,
    sales_point_room_left,
)
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.helpers import make_station_order

DAY = date(2026, 3, 3)


@pytest.fixture
def point(db):
    return f.make_sales_point(chilled=True, capacity_ambient=10, capacity_chilled=3, capacity_frozen=None)


def _order(point):
    return make_station_order(point)


def _hold(point, crates, order=None, day=DAY):
    order = order or _order(point)
    return reserve_sales_point_room(sales_point=point, delivery_date=day, crates_by_temperature=crates,
                                    order_id=order.id)


def test_room_is_held_per_temperature_class_within_the_capacity(point):
    rows = _hold(point, {"ambient": Decimal("2.5"), "chilled": 1, "frozen": 40})
    assert [(r.temperature.value, r.crate_units) for r in rows] == [
        ("ambient", Decimal("2.5")), ("chilled", Decimal("1")), ("frozen", Decimal("40")),
    ]
    assert sales_point_room_left(point, DAY) == {"ambient": 7.5, "chilled": 2.0, "frozen": None}
    assert sales_point_room_left(point, date(2026, 3, 6)) == {"ambient": 10.0, "chilled": 3.0, "frozen": None}


def test_more_than_is_left_is_refused_and_nothing_is_held(point):
    _hold(point, {"chilled": 2})
    with pytest.raises(SalesPointFull) as refused:
        _hold(point, {"ambient": 1, "chilled": Decimal("1.5")})
    assert refused.value.status == 409 and refused.value.code == "no_room"
    assert db.session.scalar(select(func.count()).select_from(SalesPointReservation)) == 1
    assert len(_hold(point, {"chilled": 1})) == 1  # exactly the last unit fits


def test_released_room_is_free_again(point):
    order = _order(point)
    _hold(point, {"chilled": 3}, order=order)
    assert release_reservations(order_id=order.id, now=NOW) == 1
    assert sales_point_room_left(point, DAY)["chilled"] == 3.0


@pytest.mark.parametrize("callers", [8])
def test_concurrent_orders_for_the_last_crate_units_never_overbook(app, point, callers):
    order_ids = [_order(point).id for _ in range(callers)]
    point_id = point.id
    db.session.commit()  # nothing left open here: on SQLite that would hold the write lock
    barrier = Barrier(callers)

    def run(order_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                place = db.session.get(SalesPoint, point_id)
                reserve_sales_point_room(sales_point=place, delivery_date=DAY,
                                         crates_by_temperature={"chilled": 1}, order_id=order_id)
                db.session.commit()
                return "held"
            except SalesPointFull as refused:
                db.session.rollback()
                return refused.code
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=callers) as pool:
        results = list(pool.map(run, order_ids, timeout=60))
    assert sorted(results) == ["held"] * 3 + ["no_room"] * (callers - 3)
    db.session.expire_all()
    assert sales_point_room_left(db.session.get(SalesPoint, point_id), DAY)["chilled"] == 0.0
