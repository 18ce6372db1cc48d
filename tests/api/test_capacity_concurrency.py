"""The last room at a pickup place goes to one order: simultaneous checkouts through the real API,
each in its own thread, session and connection, with real commits, on SQLite and PostgreSQL."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.api.auth import issue_token
from marketplace.catalog.models import Product, Temperature
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.payments.invoice_method import set_billing_profile
from marketplace.pickup.models import CompartmentReservation, SalesPointReservation
from tests import factories as f
from tests.api.test_concurrency import _app, _fire
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY

CHECKOUTS = 8


def _setup(kind: str):
    """A resident; a station whose one chilled compartment is the last one (its ambient ones are
    free), or a sales point with room for one crate of chilled goods; plenty of cheese."""
    sub = f.make_sub_region()
    f.make_schedule(sub, weekdays=(2, 5))
    municipality = f.make_municipality(sub)
    resident = f.make_user(home=f.make_place(municipality))
    if kind == "station":
        place = f.make_station(f.make_place(municipality), compartments=(("S", "ambient", 4), ("M", "chilled", 1)))
    else:
        place = f.make_sales_point(f.make_place(municipality), chilled=True, capacity_chilled=1)
    cheese = f.make_product(f.make_producer(f.make_place(municipality)), name="Käse", stock=1_000,
                            temperature=Temperature.CHILLED, crate_units=Decimal("0.5"))
    # Nobody takes cash at a station: the resident pays by invoice there.
    set_billing_profile(resident=resident, may_pay_by_invoice=True, organisation=None, buyer_reference=None,
                        actor=None, now=NOW)
    db.session.commit()
    return resident, place, cheese


def _race_for_the_last_room(database_url: str, kind: str) -> None:
    app = _app(database_url, pool_size=CHECKOUTS)
    with app.app_context():
        db.create_all()
        try:
            resident, place, cheese = _setup(kind)
            headers = {"Authorization": f"Bearer {issue_token(resident)}"}
            method = "invoice" if kind == "station" else "pay_on_pickup"
            body = {"delivery_date": TUESDAY.isoformat(), "payment_method": method,
                    "fulfilment": {"kind": kind, "pickup_place_id": place.id},
                    "items": [{"product_id": cheese.id, "quantity": 2}]}  # one crate of chilled goods
            db.session.commit()  # hold no transaction (on SQLite: no write lock) while they race

            results = _fire(app, headers, [body] * CHECKOUTS)

            assert Counter(status for status, _ in results) == {201: 1, 409: CHECKOUTS - 1}, results
            assert {code for status, code in results if status == 409} == {"no_room"}
            db.session.expire_all()
            assert db.session.scalar(select(func.count()).select_from(Order)) == 1
            assert db.session.scalar(select(Product.stock).where(Product.id == cheese.id)) == 1_000 - 2
            model = CompartmentReservation if kind == "station" else SalesPointReservation
            held = db.session.scalars(select(model).where(model.released_at.is_(None))).all()
            assert len(held) == 1 and held[0].crate_units == Decimal("1")
            if kind == "station":
                assert held[0].compartment.temperature == Temperature.CHILLED
            db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgresql
@pytest.mark.parametrize("kind", ["station", "sales_point"])
def test_simultaneous_checkouts_for_the_last_room_on_postgresql_one_wins(db, database_url, kind):
    _race_for_the_last_room(database_url, kind)


@pytest.mark.parametrize("kind", ["station", "sales_point"])
def test_simultaneous_checkouts_for_the_last_room_on_sqlite_one_wins(tmp_path, kind):
    # Its own SQLite file, so this runs in the PostgreSQL pass too.
    _race_for_the_last_room(f"sqlite:///{tmp_path / 'room.sqlite'}", kind)
