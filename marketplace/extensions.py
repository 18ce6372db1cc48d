"""Flask extensions, created unbound here and bound in create_app()."""
from __future__ import annotations

import sqlite3

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from marketplace.core.sqlite_writers import WriterQueuedConnection

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _rate_limits_off() -> bool:
    """The app's own RATE_LIMITS setting (config.py), whichever app initialised the limiter last."""
    from flask import current_app

    return not current_app.config.get("RATE_LIMITS", True)
# Whole anonymous catalogue pages (web/page_cache.py): Redis when REDIS_URL is set, else per process.
cache = Cache()


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, wait up to 30 s for the write lock, WAL, and BEGIN by us."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling would defer BEGIN; we send BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # With WAL, NORMAL still never corrupts the database; a power cut (not a crash of the app)
    # may lose the last commits. It saves a disk flush on every commit (README, "Configuration").
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Reads through a memory map of the file instead of read() calls into each connection's own
    # page cache (2 MB by default): a large catalogue is then read from the OS's cache directly.
    cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_on_sqlite(connection) -> None:
    """SQLite: SQLAlchemy's documented recipe (pysqlite's own BEGIN handling is switched off
    above), with the write lock taken at the start of every transaction that may write.

    A transaction that first reads and later writes would fail with "database is locked" when
    another writer committed in between; BEGIN IMMEDIATE makes concurrent writers wait for each
    other instead. They wait in the application's writer queue (core.sqlite_writers: woken as
    soon as the turn is free) rather than in SQLite's busy handler, which sleeps up to 100 ms
    between tries (README, "Configuration"). Page views (GET and HEAD requests) only read and
    begin a deferred transaction, which never waits for a writer in WAL mode.
    """
    if connection.dialect.name != "sqlite":
        return
    if _is_read_only_request():
        connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection = connection.connection.dbapi_connection
    queued = isinstance(dbapi_connection, WriterQueuedConnection)
    if queued:
        dbapi_connection.wait_for_turn(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queued:  # a failed BEGIN gives the turn back at once
            dbapi_connection.leave_queue()
        raise


def sqlite_engine_options(options: dict) -> dict:
    """Engine options for SQLite: connections whose writers queue (core.sqlite_writers), and no
    ping before each use (there is no server connection to lose)."""
    connect_args = {**options.get("connect_args", {}), "factory": WriterQueuedConnection}
    options = {key: value for key, value in options.items() if key != "pool_pre_ping"}
    return {**options, "connect_args": connect_args}


def writes_on_get(view):
    """Mark a GET view that writes (the language link), so SQLite takes the write lock at once."""
    view.writes_on_get = True
    return view


def _is_read_only_request() -> bool:
    from flask import current_app, has_request_context, request

    if not has_request_context() or request.method not in ("GET", "HEAD"):
        return False
    view = current_app.view_functions.get(request.endpoint)
    return not getattr(view, "writes_on_get", False)
