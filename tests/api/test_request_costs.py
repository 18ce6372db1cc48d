"""What a request costs the database: placing an order holds one write transaction, no more."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from marketplace.extensions import SQLITE_MMAP_BYTES, db, start_writing
from tests.orders.helpers import TUESDAY


def test_placing_an_order_writes_in_one_transaction_and_reads_nothing_after_it(client, auth, world):
    # After the commit every object is expired; reading the answer then would start another
    # transaction. On SQLite the checks read without a transaction of their own (each SELECT
    # commits by itself) before the one write transaction begins (BEGIN IMMEDIATE): other
    # writers wait only for the writes.
    station_id, bread_id = world.station.id, world.bread.id
    db.session.commit()  # the test's own session shares the request's: start from no transaction
    events: list[str] = []

    def note(statement: str) -> None:
        events.append(" ".join(statement.split()[:2]).upper())

    engine = db.engine
    if engine.dialect.name == "sqlite":
        # SQLite's own trace: also the BEGIN and COMMIT sent below SQLAlchemy (start_writing).
        def on_checkout(dbapi_connection, record, proxy):
            dbapi_connection.set_trace_callback(note)

        def on_checkin(dbapi_connection, record):
            dbapi_connection.set_trace_callback(None)

        listeners = [("checkout", on_checkout), ("checkin", on_checkin)]
    else:
        def on_statement(conn, cursor, statement, parameters, context, executemany):
            note(statement)

        def on_commit(conn):
            events.append("COMMIT")

        listeners = [("before_cursor_execute", on_statement), ("commit", on_commit)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        response = client.post("/api/v1/orders", json={
            "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
            "fulfilment": {"kind": "station", "pickup_place_id": station_id},
            "items": [{"product_id": bread_id, "quantity": 2}],
        }, headers=auth)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["lines"][0]["quantity"] == 2
    assert events[-1] == "COMMIT", events
    transactions = "|".join(events[:-1]).split("|COMMIT|")
    writing = [t for t in transactions if "INSERT INTO" in t or "UPDATE PRODUCTS" in t]
    assert writing == [transactions[-1]], events  # all writes in the last transaction
    if engine.dialect.name == "sqlite":
        assert len(transactions) == 1, events
        reading, _, writing = transactions[0].partition("|BEGIN IMMEDIATE|")
        assert writing.startswith("INSERT INTO"), events  # no savepoint
        assert writing.split("|")[-1] == "UPDATE PRODUCTS", events  # stock last, then COMMIT
        assert reading and all(e.startswith("SELECT") for e in reading.split("|")), events
        assert "SELECT" not in writing.split("|")[:2]
    else:
        assert len(transactions) == 1, events
        # The order's rows in one statement of data-modifying CTEs, then the stock.
        writes = [e for e in events if e.startswith(("INSERT", "WITH", "UPDATE", "DELETE"))]
        assert writes == ["WITH NEW_ORDER", "UPDATE PRODUCTS"], events


def test_sqlite_connections_use_wal_with_normal_sync(db):
    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL has neither setting
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() in {"wal", "memory"}
        if db.engine.url.database not in (None, "", ":memory:"):
            # Files are read through a memory map (README, "Performance").
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES


def test_sqlite_reads_defer_and_writes_take_the_lock_at_once(app):
    from flask import request

    from marketplace.extensions import _is_read_only_request

    with app.test_request_context("/produkte", method="GET"):
        request.url_rule = app.url_map.bind("localhost").match("/produkte", return_rule=True)[0]
        assert _is_read_only_request()
    with app.test_request_context("/sprache/en", method="GET"):
        request.url_rule = app.url_map.bind("localhost").match("/sprache/en", return_rule=True)[0]
        assert not _is_read_only_request()  # the language link stores the choice on the account
    with app.test_request_context("/api/v1/orders/1/cancel", method="POST"):
        request.url_rule = app.url_map.bind("localhost").match(
            "/api/v1/orders/1/cancel", method="POST", return_rule=True)[0]
        assert not _is_read_only_request()
    with app.test_request_context("/api/v1/orders", method="POST"):
        # Placing an order reads first, without the write lock, until start_writing().
        request.url_rule = app.url_map.bind("localhost").match(
            "/api/v1/orders", method="POST", return_rule=True)[0]
        assert _is_read_only_request()
        start_writing()
        assert not _is_read_only_request()


@contextmanager
def _placing_an_order(app):
    """A request context of POST /api/v1/orders (a `reads_before_writing` view)."""
    from flask import request

    with app.test_request_context("/api/v1/orders", method="POST"):
        request.url_rule = app.url_map.bind("localhost").match(
            "/api/v1/orders", method="POST", return_rule=True)[0]
        yield


def test_start_writing_refuses_unsaved_changes(app, db):
    from marketplace.extensions import _is_read_only_request
    from tests.factories import make_region

    if db.engine.dialect.name != "sqlite":
        return
    db.session.commit()
    with _placing_an_order(app):
        assert _is_read_only_request()
        make_region()  # a change made while reading would be written without the write lock
        with pytest.raises(RuntimeError):
            start_writing()
    db.session.rollback()


def test_start_writing_after_the_reading_transaction_ended_takes_the_lock_on_the_next_statement(app, db):
    # A view that rolls back while reading gives its connection back to the pool; start_writing
    # must not send BEGIN IMMEDIATE on it (another request may hold it by then).
    from flask import request
    from sqlalchemy import text

    from marketplace.extensions import _READ_CONNECTION

    if db.engine.dialect.name != "sqlite":
        return
    db.session.commit()
    with _placing_an_order(app):
        db.session.execute(text("SELECT 1"))
        assert _READ_CONNECTION in request.environ
        db.session.rollback()
        assert _READ_CONNECTION not in request.environ
        start_writing()
        dbapi_connection = db.session.connection().connection.dbapi_connection
        assert dbapi_connection.in_transaction  # BEGIN IMMEDIATE from the begin hook
        db.session.execute(text("UPDATE regions SET name = name WHERE 1 = 0"))
        db.session.rollback()
