"""Nothing oversold: many simultaneous checkouts of the last units, through the real API and real commits."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select, text, update

from marketplace import create_app
from marketplace.api.auth import issue_token
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import OrderLine
from marketplace.pickup.models import CompartmentReservation
from tests import factories as f
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY

LAST_UNITS = 10


def _app(database_url: str, pool_size: int):
    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": pool_size, "max_overflow": 0, "pool_timeout": 120},
    )
    if "api" not in app.blueprints:
        from marketplace.api.views import bp

        app.register_blueprint(bp)
    app.config["LANDKORB_CLOCK"] = lambda: NOW
    return app


def _setup():
    """A resident, a station, a plentiful product and — created after it, so with a higher id —
    the scarce one; requests list them in both orders to exercise the ascending-id locking."""
    sub = f.make_sub_region()
    f.make_schedule(sub, weekdays=(2, 5))
    municipality = f.make_municipality(sub)
    resident = f.make_user(home=f.make_place(municipality))
    station = f.make_sales_point(f.make_place(municipality))
    producer = f.make_producer(f.make_place(municipality))
    plenty = f.make_product(producer, name="Brot", stock=1_000_000)
    scarce = f.make_product(producer, name="Letzte Eier", stock=LAST_UNITS)
    db.session.commit()
    return resident, station, plenty.id, scarce.id


def _items(i: int, plenty_id: int, scarce_id: int) -> list[dict]:
    scarce = {"product_id": scarce_id, "quantity": 1}
    plenty = {"product_id": plenty_id, "quantity": 1}
    return [[scarce], [scarce, plenty], [plenty, scarce]][i % 3]


def _fire(app, headers, bodies) -> list[tuple[int, str | None]]:
    """Send every body at once from its own thread (own app context, session and connection)."""
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, str | None]] = [(0, None)] * len(bodies)

    def run(i: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=60)
            response = client.post("/api/v1/orders", json=bodies[i], headers=headers)
            results[i] = (response.status_code, (response.get_json() or {}).get("error"))
        except Exception as error:  # noqa: BLE001 — recorded and asserted below
            results[i] = (-1, repr(error))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung: deadlock?"
    return results


def _race(database_url, pool_size: int, requests: int, rounds: int) -> None:
    app = _app(database_url, pool_size)
    with app.app_context():
        db.create_all()
        resident, station, plenty_id, scarce_id = _setup()
        headers = {"Authorization": f"Bearer {issue_token(resident)}"}
        bodies = [
            {"delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
             "fulfilment": {"kind": "sales_point", "pickup_place_id": station.id},
             "items": _items(i, plenty_id, scarce_id)}
            for i in range(requests)
        ]
        products = Product.__table__
        try:
            for round_ in range(rounds):
                db.session.execute(update(CompartmentReservation).values(released_at=NOW))
                db.session.execute(products.update().where(products.c.id == scarce_id).values(stock=LAST_UNITS))
                db.session.execute(products.update().where(products.c.id == plenty_id).values(stock=1_000_000))
                db.session.commit()
                lines_before = _count_lines(scarce_id)
                db.session.commit()  # hold no transaction (on SQLite: no write lock) while they race

                results = _fire(app, headers, bodies)

                statuses = Counter(status for status, _ in results)
                assert statuses == {201: LAST_UNITS, 409: requests - LAST_UNITS}, (round_, statuses, results[:5])
                assert {code for status, code in results if status == 409} == {"out_of_stock"}
                won = [i for i, (status, _) in enumerate(results) if status == 201]
                db.session.expire_all()
                stock = db.session.scalar(select(Product.stock).where(Product.id == scarce_id))
                plenty = db.session.scalar(select(Product.stock).where(Product.id == plenty_id))
                assert stock == 0 and _count_lines(scarce_id) - lines_before == LAST_UNITS, round_
                assert plenty == 1_000_000 - sum(1 for i in won if i % 3 != 0), round_
                db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()


def _count_lines(product_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(OrderLine).where(OrderLine.product_id == product_id)
    )


def _postgres_connections_to_use(limit: int = 60) -> int:
    # PostgreSQL allows max_connections (100 by default) for the whole server, which the
    # other test worker and other people share. Take at most 60 and leave 20 spare; the 200
    # requests then queue for a connection in the pool behind the barrier, which is what a
    # web server with a bounded pool does under a burst.
    max_connections = int(db.session.scalar(text("SHOW max_connections")))
    in_use = db.session.scalar(text("SELECT count(*) FROM pg_stat_activity"))
    return max(10, min(limit, max_connections - in_use - 20))


@pytest.mark.postgresql
@pytest.mark.slow
def test_200_simultaneous_orders_for_the_last_10_units_on_postgresql_sell_exactly_10(db, database_url):
    _race(database_url, pool_size=_postgres_connections_to_use(), requests=200, rounds=8)


@pytest.mark.slow
def test_20_simultaneous_orders_for_the_last_10_units_on_sqlite_sell_exactly_10(tmp_path):
    # Its own SQLite file, so this runs in the PostgreSQL pass too.
    _race(f"sqlite:///{tmp_path / 'race.sqlite'}", pool_size=20, requests=20, rounds=5)
