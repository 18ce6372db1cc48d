"""Flask extensions, created unbound here and bound in create_app()."""
from __future__ import annotations

import sqlite3

from flask_babel import Babel
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


@event.listens_for(Engine, "connect")
def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, wait for locks instead of failing, and let us issue BEGIN."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling would defer BEGIN; we send BEGIN IMMEDIATE ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # With WAL, NORMAL still never corrupts the database; a power cut (not a crash of the app)
    # may lose the last commits. It saves a disk flush on every commit (README, "SQLite").
    cursor.execute("PRAGMA synchronous = NORMAL")
    # Reads through a memory map of the file instead of read() calls into each connection's own
    # page cache (2 MB by default): a large catalogue is then read from the OS's cache directly.
    cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_immediate_on_sqlite(connection) -> None:
    # Writers take the write lock at the start so concurrent checkouts queue up instead of
    # failing with "database is locked" when a reader later tries to write; they queue for it
    # in the application first (core.sqlite_writers). Page views (GET/HEAD) start a deferred
    # transaction and never wait; the reading part of a `reads_before_writing` request sends no
    # BEGIN at all (see `_note_changes_before_reading`).
    # A failed BEGIN gives the turn back at once (the rollback that follows would too).
    if connection.dialect.name != "sqlite":
        return
    if _is_read_only_request():
        if not _note_changes_before_reading(connection):
            connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection = connection.connection.dbapi_connection
    queued = isinstance(dbapi_connection, WriterQueuedConnection)
    if queued:
        dbapi_connection.wait_for_turn(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            dbapi_connection.leave_queue()
        raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_read_connection(connection) -> None:
    # The reading part's transaction ended (a view rolled back after a refusal): its connection
    # goes back to the pool, where another request may take it. `start_writing()` must then not
    # touch it; the next statement begins the write transaction through the hook above.
    if connection.dialect.name != "sqlite":
        return
    from flask import has_request_context, request

    if has_request_context():
        request.environ.pop(_READ_CONNECTION, None)


def sqlite_engine_options(options: dict) -> dict:
    """Engine options for SQLite: connections whose writers queue (core.sqlite_writers), and
    no ping before each use (there is no server connection to lose)."""
    connect_args = {**options.get("connect_args", {}), "factory": WriterQueuedConnection}
    options = {key: value for key, value in options.items() if key != "pool_pre_ping"}
    return {**options, "connect_args": connect_args}


def writes_on_get(view):
    """Mark a GET view that writes (the language link), so SQLite takes the write lock at once."""
    view.writes_on_get = True
    return view


# Where a `reads_before_writing` request keeps its phase: per request (flask.g lives as long as
# the application context, which tests keep across requests).
_PHASE = "landkorb.sqlite_phase"
_CHANGES = "landkorb.sqlite_changes_before_reading"
_READ_CONNECTION = "landkorb.sqlite_read_connection"


def reads_before_writing(view):
    """Mark a POST view that reads a lot before it writes (placing an order).

    On SQLite its reads run without the write lock, each in its own implicit transaction;
    `start_writing()` then takes the write lock for the rest of the request. Other writers
    wait only for the writes, not for the reads and checks before them. What was read may have
    changed in between, as on PostgreSQL under READ COMMITTED: the writes must guard what
    matters themselves (stock is taken by a guarded UPDATE).
    """
    view.reads_before_writing = True
    return view


def start_writing() -> None:
    """In a `reads_before_writing` request on SQLite, take the write lock; else nothing.

    On the same connection, below SQLAlchemy: the connection waits for its turn in the writer
    queue and sends `BEGIN IMMEDIATE` (after a `COMMIT` if a read transaction is open). For
    SQLAlchemy and the session it is one transaction that goes on, so the objects loaded while
    reading stay loaded and the connection stays checked out (ending the session's transaction
    and beginning another cost as much as the reads themselves).

    Nothing may be written before: in the reading part each statement commits by itself.
    Unsaved objects or a change counted on the connection raise RuntimeError.
    """
    from flask import has_request_context, request

    if not has_request_context() or request.environ.get(_PHASE) != "reading":
        return
    request.environ[_PHASE] = "writing"
    session = db.session()
    if session.new or session.dirty or session.deleted or _changed_while_reading():
        raise RuntimeError("start_writing() after changes: they were made without the write lock")
    dbapi_connection = request.environ.get(_READ_CONNECTION)
    if dbapi_connection is None:
        return  # nothing was read: the first statement begins the write transaction
    if dbapi_connection.in_transaction:
        dbapi_connection.execute("COMMIT")
    queued = isinstance(dbapi_connection, WriterQueuedConnection)
    if queued:
        dbapi_connection.wait_for_turn(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            dbapi_connection.leave_queue()
        raise


def _note_changes_before_reading(connection) -> bool:
    """In the reading part of a `reads_before_writing` request, remember the connection; True then.

    Its reads run without BEGIN, each in its own implicit transaction (what PostgreSQL's READ
    COMMITTED gives as well): a BEGIN and a COMMIT fewer on the hot path."""
    from flask import has_request_context, request

    if not has_request_context() or request.environ.get(_PHASE) != "reading":
        return False
    dbapi_connection = connection.connection.dbapi_connection
    request.environ[_READ_CONNECTION] = dbapi_connection
    request.environ[_CHANGES] = dbapi_connection.total_changes
    return True


def _changed_while_reading() -> bool:
    from flask import request

    dbapi_connection = request.environ.get(_READ_CONNECTION)
    return dbapi_connection is not None and dbapi_connection.total_changes != request.environ[_CHANGES]


def _is_read_only_request() -> bool:
    from flask import current_app, has_request_context, request

    if not has_request_context():
        return False
    view = current_app.view_functions.get(request.endpoint)
    if request.method not in ("GET", "HEAD"):
        if getattr(view, "reads_before_writing", False):
            return request.environ.setdefault(_PHASE, "reading") == "reading"
        return False
    return not getattr(view, "writes_on_get", False)
