"""Ping a pooled database connection before use only when it lay idle for a while.

`pool_pre_ping` sends a `SELECT 1` (a round trip, and a wake-up of the server's backend)
every time a request takes a connection from the pool: on PostgreSQL that was a tenth of what
placing an order cost (README, "Performance"). A connection that answered a few seconds ago is
almost surely alive; one that lay idle longer may have been closed by the server, a restart or
a firewall, and is pinged as before. A failed ping raises `DisconnectionError`, upon which the
pool drops the connection and takes or opens another (SQLAlchemy's documented checkout hook).
If the server goes away during busy seconds, the request that meets the dead connection fails
once, and SQLAlchemy then discards every connection of the pool that is older than the error.
"""
from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

_LAST_USED = "landkorb.last_used"


def ping_when_idle(engine: Engine, idle_seconds: float, clock=time.monotonic) -> None:
    """Install the policy on `engine` (whose `pool_pre_ping` should be off)."""

    @event.listens_for(engine, "checkin")
    def _note_last_use(dbapi_connection, record) -> None:
        record.info[_LAST_USED] = clock()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy) -> None:
        last_used = record.info.get(_LAST_USED)
        if last_used is None or clock() - last_used < idle_seconds:
            return  # just opened, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(f"an idle connection did not answer: {error}") from error
