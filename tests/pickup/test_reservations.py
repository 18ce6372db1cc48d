"""Reserving compartments for an order and day: fewest fitting ones, never one twice, also concurrently."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.extensions import db
from marketplace.pickup.models import CompartmentReservation, CompartmentState, ParcelStation
from marketplace.pickup.reservations import (
    NoCompartmentFree,
    count_free_compartments,
    fill_compartments,
    load_room,
    release_reservations,
    reserve_compartments,
)
from tests import factories as f
from tests.conftest import NOW
from tests.pickup.helpers import make_station_order

DAY = date(2026, 3, 3)


@pytest.fixture
def station(db):
    # 01 S ambient, 02 S ambient, 03 M ambient, 04 L ambient, 05 M chilled, 06 S frozen
    return f.make_station(compartments=(
        ("S", "ambient", 2), ("M", "ambient", 1), ("L", "ambient", 1), ("M", "chilled", 1), ("S", "frozen", 1),
    ))


def _reserve(station, crates, order=None, day=DAY):
    order = order or make_station_order(station)
    chosen = reserve_compartments(station=station, delivery_date=day, crates_by_temperature=crates,
                                  order_id=order.id)
    return [c.label for c in chosen]


def _live() -> list[tuple[str, int]]:
    rows = db.session.scalars(select(CompartmentReservation).where(CompartmentReservation.released_at.is_(None)))
    return sorted((r.compartment.label, r.order_id) for r in rows)


def test_each_temperature_class_gets_the_smallest_compartment_that_holds_it(station):
    assert _reserve(station, {"ambient": Decimal("1.5"), Temperature.CHILLED: 1, "frozen": 0.4}) == ["03", "05", "06"]
    rows = db.session.scalars(select(CompartmentReservation).order_by(CompartmentReservation.id)).all()
    assert [r.crate_units for r in rows] == [Decimal("1.5"), Decimal("1"), Decimal("0.4")]


def test_a_large_order_takes_several_compartments(station):
    assert sorted(_reserve(station, {"ambient": 7})) == ["01", "03", "04"]


def test_one_compartment_never_serves_two_orders_on_a_day(station):
    first = _reserve(station, {"chilled": 1})
    with pytest.raises(NoCompartmentFree) as refused:
        _reserve(station, {"chilled": 1})
    assert first == ["05"] and refused.value.status == 409 and refused.value.code == "no_room"
    assert _reserve(station, {"chilled": 1}, day=DAY + timedelta(days=3)) == ["05"]  # another day


def test_a_refusal_reserves_nothing_even_for_the_classes_that_fitted(station):
    before = _live()
    with pytest.raises(NoCompartmentFree):
        _reserve(station, {"ambient": 1, "frozen": 2})  # the frozen S holds one crate
    assert _live() == before


def test_ambient_goods_go_into_a_chilled_compartment_when_no_ambient_one_is_free(db):
    chilled_only = f.make_station(compartments=(("S", "chilled", 1), ("M", "chilled", 1)))
    assert load_room([chilled_only], [DAY])[chilled_only.id, DAY].fits({"ambient": 1})
    assert _reserve(chilled_only, {"ambient": 1}) == ["01"]
    assert _reserve(chilled_only, {"ambient": 2}) == ["02"]
    with pytest.raises(NoCompartmentFree):
        _reserve(chilled_only, {"ambient": 1})


def test_ambient_goods_take_an_ambient_compartment_first(db):
    mixed = f.make_station(compartments=(("S", "chilled", 1), ("S", "ambient", 1)))
    assert _reserve(mixed, {"ambient": 1}) == ["02"]


def test_chilled_goods_keep_their_compartments_when_ambient_goods_share_the_chilled_ones(db):
    # 01 S ambient, 02 S chilled, 03 M chilled: the chilled crates need the M.
    station = f.make_station(compartments=(("S", "ambient", 1), ("S", "chilled", 1), ("M", "chilled", 1)))
    assert sorted(_reserve(station, {"ambient": 2, "chilled": 2})) == ["01", "02", "03"]
    held = {(r.compartment.label, r.crate_units) for r in db.session.scalars(select(CompartmentReservation))}
    assert ("03", Decimal("2")) in held


def test_ambient_goods_never_go_into_a_frozen_compartment_nor_chilled_goods_into_an_ambient_one(db):
    frozen_only = f.make_station(compartments=(("L", "frozen", 1),))
    assert not load_room([frozen_only], [DAY])[frozen_only.id, DAY].fits({"ambient": 1})
    with pytest.raises(NoCompartmentFree):
        _reserve(frozen_only, {"ambient": 1})
    ambient_only = f.make_station(compartments=(("L", "ambient", 1),))
    with pytest.raises(NoCompartmentFree):
        _reserve(ambient_only, {"chilled": 1})


def test_out_of_service_compartments_are_not_offered(station):
    station.compartments[4].state = CompartmentState.OUT_OF_SERVICE
    with pytest.raises(NoCompartmentFree):
        _reserve(station, {"chilled": 1})
    assert count_free_compartments(station, DAY) == {"ambient": 4, "chilled": 0, "frozen": 1}


def test_released_reservations_free_the_compartment_again(station):
    order = make_station_order(station)
    _reserve(station, {"chilled": 1}, order=order)
    assert count_free_compartments(station, DAY)["chilled"] == 0
    assert release_reservations(order_id=order.id, now=NOW) == 1
    assert count_free_compartments(station, DAY)["chilled"] == 1
    assert _reserve(station, {"chilled": 1}) == ["05"]


def _race(app, station_id: int, order_ids: list[int], crates: dict) -> list[object]:
    """Every caller at once, each in its own app context, session and connection; real commits."""
    barrier = threading.Barrier(len(order_ids))
    results: list[object] = [None] * len(order_ids)

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                # Loaded after the barrier: on SQLite the first statement takes the write lock.
                station = db.session.get(ParcelStation, station_id)
                chosen = reserve_compartments(station=station, delivery_date=DAY,
                                              crates_by_temperature=crates, order_id=order_ids[i])
                results[i] = [c.label for c in chosen]
                db.session.commit()
            except NoCompartmentFree as refused:
                db.session.rollback()
                results[i] = refused.code
            except Exception as error:  # noqa: BLE001 — asserted below
                db.session.rollback()
                results[i] = repr(error)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(order_ids)) as pool:
        list(pool.map(run, range(len(order_ids)), timeout=60))
    return results


def _orders(station, count):
    ids = [make_station_order(station).id for _ in range(count)]
    station_id = station.id
    db.session.commit()  # nothing left open here: on SQLite that would hold the write lock
    return station_id, ids


def test_concurrent_callers_for_the_last_chilled_compartment_one_wins(app, station):
    station_id, ids = _orders(station, 8)
    results = _race(app, station_id, ids, {"chilled": 1})
    assert sorted(map(str, results)) == ["['05']"] + ["no_room"] * 7
    assert len(_live()) == 1


def test_concurrent_callers_share_the_free_compartments_without_overlap(app, station):
    station_id, ids = _orders(station, 8)
    results = _race(app, station_id, ids, {"ambient": 1})
    won = [r for r in results if isinstance(r, list)]
    # The four ambient compartments, then the chilled one (ambient goods keep there; never the frozen).
    assert len(won) == 5 and results.count("no_room") == 3
    assert sorted(label for labels in won for label in labels) == ["01", "02", "03", "04", "05"]
    assert len(_live()) == 5


@pytest.mark.postgresql
def test_postgresql_plans_around_a_compartment_another_transaction_holds(app, station):
    from sqlalchemy import text

    station_id, (order_id,) = _orders(station, 1)
    held = next(c.id for c in station.compartments if c.label == "03")
    db.session.commit()
    with db.engine.connect() as other:
        other.execute(text("SELECT id FROM compartments WHERE id = :id FOR UPDATE"), {"id": held})
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        from sqlalchemy import event

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            chosen = reserve_compartments(station=db.session.get(ParcelStation, station_id), delivery_date=DAY,
                                          crates_by_temperature={"ambient": Decimal("1.5")}, order_id=order_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        other.rollback()
    assert [c.label for c in chosen] == ["04"]  # the M one is held: the L one instead, without waiting
    assert any("FOR UPDATE SKIP LOCKED" in s for s in statements)


def test_filling_makes_the_reserved_compartments_occupied(station):
    order = make_station_order(station)
    assert _reserve(station, {"ambient": 3, "chilled": 1}, order=order) == ["04", "05"]
    filled = fill_compartments(station=station, order_id=order.id, delivery_date=DAY, now=NOW)
    assert [c.label for c in filled] == ["04", "05"]
    assert {c.label: c.state for c in station.compartments if c.label in ("04", "05")} == {
        "04": CompartmentState.OCCUPIED, "05": CompartmentState.OCCUPIED,
    }
    again = fill_compartments(station=station, order_id=order.id, delivery_date=DAY, now=NOW)
    assert [c.label for c in again] == ["04", "05"] and len(_live()) == 2


def test_a_compartment_out_of_service_since_is_replaced_by_a_fitting_free_one(station):
    order = make_station_order(station)
    assert _reserve(station, {"ambient": 1}, order=order) == ["01"]
    station.compartments[0].state = CompartmentState.OUT_OF_SERVICE
    filled = fill_compartments(station=station, order_id=order.id, delivery_date=DAY, now=NOW)
    assert [c.label for c in filled] == ["02"]
    assert _live() == [("02", order.id)]


def test_ambient_goods_whose_compartment_broke_go_into_a_free_chilled_one(db):
    station = f.make_station(compartments=(("S", "ambient", 1), ("S", "chilled", 1)))
    order = make_station_order(station)
    assert _reserve(station, {"ambient": 1}, order=order) == ["01"]
    station.compartments[0].state = CompartmentState.OUT_OF_SERVICE
    filled = fill_compartments(station=station, order_id=order.id, delivery_date=DAY, now=NOW)
    assert [c.label for c in filled] == ["02"]


def test_no_fitting_replacement_refuses_and_changes_nothing(station):
    order = make_station_order(station)
    _reserve(station, {"ambient": 1, "chilled": 1}, order=order)  # 01 and 05 (the only chilled one)
    station.compartments[4].state = CompartmentState.OUT_OF_SERVICE
    before = _live()
    with pytest.raises(NoCompartmentFree):
        fill_compartments(station=station, order_id=order.id, delivery_date=DAY, now=NOW)
    assert _live() == before
    assert station.compartments[0].state == CompartmentState.FREE


def test_a_compartment_still_holding_an_earlier_order_is_replaced(station):
    earlier, later = make_station_order(station), make_station_order(station)
    assert _reserve(station, {"chilled": 1}, order=earlier, day=DAY) == ["05"]
    fill_compartments(station=station, order_id=earlier.id, delivery_date=DAY, now=NOW)  # not collected
    next_day = DAY + timedelta(days=1)
    assert _reserve(station, {"ambient": 1}, order=later, day=next_day) == ["01"]
    station.compartments[0].state = CompartmentState.OCCUPIED  # 01 holds an earlier order too
    db.session.add(CompartmentReservation(compartment_id=station.compartments[0].id, order_id=earlier.id,
                                          delivery_date=DAY, crate_units=1))
    db.session.flush()
    assert [c.label for c in fill_compartments(station=station, order_id=later.id, delivery_date=next_day,
                                               now=NOW)] == ["02"]
    other = make_station_order(station)
    assert _reserve(station, {"chilled": 1}, order=other, day=next_day) == ["05"]  # free that day on paper
    with pytest.raises(NoCompartmentFree):  # but the only chilled one still holds the earlier order
        fill_compartments(station=station, order_id=other.id, delivery_date=next_day, now=NOW)
