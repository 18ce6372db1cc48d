"""core.prepared: statements compiled once, run on the driver's cursor, with SQLAlchemy's meaning."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Time,
    bindparam,
    event,
    exc,
    insert,
    select,
    update,
)

from marketplace.catalog.models import Temperature
from marketplace.core.prepared import Prepared
from marketplace.core.types import UTCDateTime

_metadata = MetaData()
_probe = Table(
    "prepared_probe", _metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("amount", Numeric(8, 2)),
    Column("flag", Boolean),
    Column("temperature", Enum(Temperature, name="prepared_probe_temperature")),
    Column("cutoff", Time),
    Column("count", Integer, default=lambda: 1),  # a default Python computes
)
_COLUMNS = ("name", "day", "at", "amount", "flag", "temperature", "cutoff")
_ROW = {
    "name": "Hofladen", "day": date(2026, 12, 1), "at": datetime(2026, 11, 30, 17, 5, 3, tzinfo=UTC),
    "amount": Decimal("12.50"), "flag": True, "temperature": Temperature.CHILLED, "cutoff": time(18, 0),
}
_INSERT = Prepared(insert(_probe).returning(_probe.c.id), column_keys=(*_COLUMNS, "count"))
_BY_NAME = Prepared(select(_probe).where(_probe.c.name == bindparam("name")))


@pytest.fixture
def connection(db):
    _metadata.create_all(db.engine)
    connection = db.session.connection()
    yield connection
    db.session.rollback()
    _metadata.drop_all(db.engine)


def _insert(connection, **changes) -> int:
    return _INSERT.first(connection, {**_ROW, "count": 1, **changes})[0]


def test_values_go_in_and_come_back_as_sqlalchemy_converts_them(connection):
    new_id = _insert(connection)
    row = _BY_NAME.first(connection, {"name": "Hofladen"})
    assert row == tuple(connection.execute(select(_probe).where(_probe.c.id == new_id)).one())
    assert row.id == new_id and row.day == date(2026, 12, 1) and row.cutoff == time(18, 0)
    assert row.at == datetime(2026, 11, 30, 17, 5, 3, tzinfo=UTC) and row.at.tzinfo is not None
    assert row.amount == Decimal("12.50") and isinstance(row.amount, Decimal)
    assert row.flag is True and row.temperature is Temperature.CHILLED
    assert _BY_NAME.first(connection, {"name": "nobody"}) is None


def test_values_fixed_in_the_statement_are_sent_too(connection):
    _insert(connection, name="a", amount=Decimal("3.00"))
    _insert(connection, name="b", amount=Decimal("30.00"), flag=False)
    dear = Prepared(select(_probe.c.name).where(_probe.c.amount > 5, _probe.c.flag.is_(False)))
    assert [row.name for row in dear.all(connection)] == ["b"]


def test_updates_report_the_rows_they_changed(connection):
    _insert(connection)
    take = Prepared(
        update(_probe)
        .where(_probe.c.name == bindparam("who"), _probe.c.amount >= bindparam("need"))
        .values(amount=_probe.c.amount - bindparam("need"))
    )
    assert take.run(connection, {"who": "Hofladen", "need": Decimal("10")}).rowcount == 1
    assert take.run(connection, {"who": "Hofladen", "need": Decimal("10")}).rowcount == 0
    assert _BY_NAME.first(connection, {"name": "Hofladen"}).amount == Decimal("2.50")


def test_listeners_see_every_statement(connection):
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0], len(parameters), executemany))

    event.listen(connection.engine, "before_cursor_execute", listener)
    try:
        plain = Prepared(insert(_probe), column_keys=(*_COLUMNS, "count"))
        for n in range(2):
            plain.run(connection, {**_ROW, "name": f"n{n}", "count": n})
    finally:
        event.remove(connection.engine, "before_cursor_execute", listener)
    assert seen == [("INSERT", 8, False)] * 2
    counts = Prepared(select(_probe.c.name, _probe.c.count).order_by(_probe.c.name)).all(connection)
    assert [tuple(row) for row in counts] == [("n0", 0), ("n1", 1)]


def test_statements_run_in_the_transaction_sqlalchemy_began(db, connection):
    _insert(connection)
    db.session.rollback()
    assert _BY_NAME.first(db.session.connection(), {"name": "Hofladen"}) is None


def test_driver_errors_are_sqlalchemys_and_the_session_recovers(db, connection):
    _insert(connection)
    with pytest.raises(exc.IntegrityError):
        _insert(connection)  # the same name again
    db.session.rollback()
    assert _BY_NAME.first(db.session.connection(), {"name": "Hofladen"}) is None


def test_a_missing_parameter_is_a_clear_error(connection):
    with pytest.raises(KeyError, match="name"):
        _BY_NAME.first(connection, {})


def test_what_cannot_be_prepared_is_refused_when_compiled(connection):
    expanding = Prepared(select(_probe.c.id).where(_probe.c.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        expanding.all(connection, {"ids": [1, 2]})
    without_count = Prepared(insert(_probe), column_keys=_COLUMNS)
    with pytest.raises(ValueError, match="count"):
        without_count.run(connection, _ROW)
