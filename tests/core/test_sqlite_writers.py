"""SQLite writers queue in the application: threads and processes take turns, and always give
the turn back (commit, rollback, close, a failed BEGIN)."""
from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from marketplace import extensions
from marketplace.core.sqlite_writers import WriterQueuedConnection, queue_for


def connect(path) -> WriterQueuedConnection:
    return sqlite3.connect(path, factory=WriterQueuedConnection, isolation_level=None,
                           check_same_thread=False)


def begin_write(connection: WriterQueuedConnection, timeout: float = 5.0) -> None:
    connection.wait_for_turn(timeout)
    connection.execute("BEGIN IMMEDIATE")


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "writers.sqlite")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode = WAL")
        setup.execute("CREATE TABLE t (n INTEGER)")
    return path


def test_a_second_writer_waits_for_the_first_and_starts_as_soon_as_it_commits(database):
    first, second = connect(database), connect(database)
    begin_write(first)
    first.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.wait_for_turn(timeout=0.2)

    started = threading.Event()

    def write():
        begin_write(second)
        started.set()
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.1)
    assert not started.is_set()  # still waiting for the first writer
    released_at = time.monotonic()
    first.commit()
    assert started.wait(2)
    assert time.monotonic() - released_at < 0.5  # woken, not sleeping in a busy loop
    thread.join()
    assert [n for (n,) in first.execute("SELECT n FROM t ORDER BY n")] == [1, 2]


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_rollback_and_close_give_the_turn_back(database, end):
    first, second = connect(database), connect(database)
    begin_write(first)
    getattr(first, end)()
    begin_write(second, timeout=0.2)
    second.commit()


def _hold_the_turn(path, holding, release) -> None:
    connection = connect(path)
    begin_write(connection)
    holding.set()
    release.wait(10)
    connection.commit()


def test_writers_of_two_processes_take_turns(database):
    context = multiprocessing.get_context("fork")
    holding, release = context.Event(), context.Event()
    other = context.Process(target=_hold_the_turn, args=(database, holding, release))
    other.start()
    try:
        assert holding.wait(10)
        mine = connect(database)
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            mine.wait_for_turn(timeout=0.3)
        release.set()
        begin_write(mine, timeout=5)
        mine.commit()
    finally:
        release.set()
        other.join(10)
    assert other.exitcode == 0


def test_in_memory_databases_have_no_queue():
    assert queue_for(":memory:") is None
    assert queue_for("file:shared?mode=memory&cache=shared") is None
    assert queue_for("") is None


def test_a_failed_begin_gives_the_turn_back(database, monkeypatch):
    # Another program (not queued, e.g. the sqlite3 shell) holds SQLite's write lock: the
    # engine's BEGIN IMMEDIATE fails after the busy timeout, and must not keep the queue.
    monkeypatch.setattr(extensions, "SQLITE_BUSY_TIMEOUT_MS", 100)
    outsider = sqlite3.connect(database, isolation_level=None)
    outsider.execute("BEGIN IMMEDIATE")
    engine = create_engine(f"sqlite:///{database}", **extensions.sqlite_engine_options({}))
    try:
        with pytest.raises(Exception, match="database is locked"):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (3)"))
        outsider.rollback()
        queued = connect(database)
        begin_write(queued, timeout=0.2)  # the queue is free again
        queued.commit()
    finally:
        engine.dispose()
