"""What a request costs the database: placing an order holds one write transaction, no more."""
from __future__ import annotations

from sqlalchemy import event

from marketplace.extensions import db
from tests.orders.helpers import TUESDAY


def test_placing_an_order_reads_nothing_after_its_commit(client, auth, world):
    # After the commit every object is expired; reading the answer then would start a second
    # transaction, on SQLite a second write lock (POST requests begin IMMEDIATE).
    events: list[str] = []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        events.append(statement.split()[0].upper())

    def on_commit(conn):
        events.append("COMMIT")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "commit", on_commit)
    try:
        response = client.post("/api/v1/orders", json={
            "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
            "fulfilment": {"kind": "station", "pickup_place_id": world.station.id},
            "items": [{"product_id": world.bread.id, "quantity": 2}],
        }, headers=auth)
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "commit", on_commit)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lines"][0]["quantity"] == 2
    assert events.count("COMMIT") == 1
    assert events[-1] == "COMMIT", events


def test_sqlite_connections_use_wal_with_normal_sync(db):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL has neither setting
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() in {"wal", "memory"}


def test_sqlite_reads_defer_and_writes_take_the_lock_at_once(app):
    from flask import request

    from marketplace.extensions import _is_read_only_request

    with app.test_request_context("/produkte", method="GET"):
        request.url_rule = app.url_map.bind("localhost").match("/produkte", return_rule=True)[0]
        assert _is_read_only_request()
    with app.test_request_context("/sprache/en", method="GET"):
        request.url_rule = app.url_map.bind("localhost").match("/sprache/en", return_rule=True)[0]
        assert not _is_read_only_request()  # the language link stores the choice on the account
    with app.test_request_context("/api/v1/orders", method="POST"):
        assert not _is_read_only_request()
