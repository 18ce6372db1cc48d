"""core.pool_ping: a pooled connection is pinged before use only after lying idle."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exc, text

from marketplace.core.pool_ping import ping_when_idle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(database_url, monkeypatch):
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    clock = Clock()
    ping_when_idle(engine, 10, clock=clock)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    engine.clock, engine.pings = clock, pings
    yield engine
    engine.dispose()


def _use(engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_a_connection_used_moments_ago_is_not_pinged_one_idle_longer_is(engine):
    _use(engine)  # a new connection: not pinged
    engine.clock.now += 9
    _use(engine)
    assert engine.pings == []
    engine.clock.now += 11
    _use(engine)
    assert len(engine.pings) == 1


def _backend_pid(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def _terminate(engine, pid: int) -> None:
    other = create_engine(engine.url)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


@pytest.fixture
def closed_by_server(engine) -> int:
    """The pool's one connection, used once and then closed by the server: its backend's pid."""
    with engine.connect() as connection:
        pid = _backend_pid(connection)
    _terminate(engine, pid)
    return pid


@pytest.mark.postgresql  # SQLite has no server to close a connection
def test_an_idle_connection_the_server_closed_is_replaced_before_use(engine, closed_by_server):
    engine.clock.now += 60
    with engine.connect() as connection:
        assert _backend_pid(connection) != closed_by_server  # the ping failed; a new one serves
    assert len(engine.pings) == 1


@pytest.mark.postgresql
def test_a_busy_connection_the_server_closed_fails_once_then_the_pool_recovers(engine, closed_by_server):
    # The trade-off against pinging before every use: the request that meets it fails.
    with pytest.raises(exc.OperationalError), engine.connect() as connection:
        _backend_pid(connection)
    with engine.connect() as connection:
        assert _backend_pid(connection) != closed_by_server
