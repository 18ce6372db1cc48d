"""What placing an order costs the database: one write transaction, each product row touched once,
and statements that standard tooling (Flask-SQLAlchemy's query recording) can see."""
from __future__ import annotations

import re

import pytest
from flask_sqlalchemy.record_queries import get_recorded_queries
from sqlalchemy import event

from marketplace import create_app
from marketplace.api.auth import issue_token
from marketplace.extensions import SQLITE_MMAP_BYTES, db
from tests.conftest import NOW
from tests.orders.helpers import TUESDAY, make_world

_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_PRODUCT_UPDATE = re.compile(r"^\s*UPDATE\s+products\b", re.IGNORECASE)


def _order_body(world, *items) -> dict:
    return {
        "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
        "fulfilment": {"kind": "sales_point", "pickup_place_id": world.chilled_sales_point.id},
        "items": [{"product_id": product.id, "quantity": quantity} for product, quantity in items],
    }


def test_placing_an_order_is_one_write_transaction_touching_each_product_row_once(client, auth, world):
    items = ((world.bread, 11), (world.milk, 6), (world.cake, 12))  # quantities unlike the ids
    body = _order_body(world, *items)
    product_ids = {product.id for product, _ in items}
    quantities = {quantity for _, quantity in items}
    assert not product_ids & quantities
    db.session.commit()  # the test's session shares the request's: start from no transaction
    transactions: list[list[tuple[str, dict | tuple]]] = [[]]

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        transactions[-1].append((statement, parameters))

    def on_end(conn):
        transactions.append([])

    engine = db.engine
    listeners = [("before_cursor_execute", on_statement), ("commit", on_end), ("rollback", on_end)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        response = client.post("/api/v1/orders", json=body, headers=auth)
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert response.status_code == 201, response.get_json()
    writing = [t for t in transactions if any(_WRITES.match(s) for s, _ in t)]
    assert len(writing) == 1, [[s.split()[0] for s, _ in t] for t in transactions]
    # The order's room at the sales point is reserved in that same transaction, beside its stock.
    assert any(s.lstrip().upper().startswith("INSERT INTO SALES_POINT_RESERVATIONS") for s, _ in writing[0])
    stock_updates = [p for s, p in writing[0] if _PRODUCT_UPDATE.match(s)]
    touched = []
    for parameters in stock_updates:
        values = parameters.values() if isinstance(parameters, dict) else parameters
        ids = [v for v in values if v in product_ids and v not in quantities]
        assert len(ids) == 1, parameters
        touched += ids
    assert touched == sorted(product_ids)  # each product once, in ascending id order


def test_an_order_can_be_placed_with_query_recording_on_and_its_queries_are_recorded(database_url):
    # Standard tooling works on the order path: Flask-SQLAlchemy records every query it sends.
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, SQLALCHEMY_RECORD_QUERIES=True,
                     LANDKORB_CLOCK=NOW)
    with app.app_context():
        db.create_all()
        try:
            world = make_world()
            token = issue_token(world.resident)
            with app.test_client() as client:
                response = client.post("/api/v1/orders", json=_order_body(world, (world.bread, 2)),
                                       headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 201, response.get_json()
                statements = [query.statement for query in get_recorded_queries()]
            assert any(s.lstrip().upper().startswith("INSERT INTO ORDERS") for s in statements)
            assert any(_PRODUCT_UPDATE.match(s) for s in statements)
            assert all(query.duration >= 0 for query in get_recorded_queries())
        finally:
            db.session.remove()
            from tests.conftest import empty_all_tables
            with app.app_context():
                empty_all_tables()
            db.engine.dispose()


@pytest.mark.sqlite
def test_sqlite_connections_use_wal_with_normal_sync_and_a_busy_timeout(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() in {"wal", "memory"}
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        if db.engine.url.database not in (None, "", ":memory:"):
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES


@pytest.mark.sqlite
def test_sqlite_page_views_begin_deferred_and_every_write_request_begins_immediate(app, client, auth, world):
    db.session.commit()
    begins: list[str] = []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        if statement.upper().startswith("BEGIN"):
            begins.append(statement.upper())

    event.listen(db.engine, "before_cursor_execute", on_statement)
    try:
        assert client.get("/produkte").status_code == 200
        page_view = list(begins)
        begins.clear()
        db.session.rollback()  # a real request ends its transaction; the test's context keeps it
        response = client.post("/api/v1/orders", json=_order_body(world, (world.bread, 1)), headers=auth)
        assert response.status_code == 201
    finally:
        event.remove(db.engine, "before_cursor_execute", on_statement)
    assert page_view and set(page_view) == {"BEGIN"}
    assert begins and begins[0] == "BEGIN IMMEDIATE"


def test_the_answer_to_a_placed_order_is_read_before_the_commit(client, auth, world):
    # After the commit every object is expired; reading the answer then would begin a second
    # transaction (on SQLite a second write lock, as the request is a POST).
    db.session.commit()
    begins: list[str] = []
    commits: list[int] = []

    def on_begin(conn):
        begins.append("begin")

    def on_commit(conn):
        commits.append(len(begins))

    event.listen(db.engine, "begin", on_begin)
    event.listen(db.engine, "commit", on_commit)
    try:
        response = client.post("/api/v1/orders", json=_order_body(world, (world.bread, 1)), headers=auth)
    finally:
        event.remove(db.engine, "begin", on_begin)
        event.remove(db.engine, "commit", on_commit)
    assert response.status_code == 201 and response.get_json()["lines"][0]["quantity"] == 1
    assert len(begins) == 1 and commits == [1], (begins, commits)
