"""SQLite writers queue in the application instead of in SQLite's busy handler.

SQLite lets one transaction write at a time. A second `BEGIN IMMEDIATE` waits in SQLite's busy
handler, which sleeps 1, 2, 5, 10, … 100 ms between tries however soon the lock comes free, so
under a burst of checkouts the waiters oversleep and orders per second fall to a fraction of what
the database can do. Here a writer first takes a lock of its own: threads of one process queue on
a `threading.Lock` (woken as soon as it is released), processes on an `flock` of a file beside the
database, which the one waiting thread of each process tries every half millisecond. The lock is
taken before `BEGIN IMMEDIATE` and given back right after `COMMIT` or `ROLLBACK`.

`WriterQueuedConnection` is the `sqlite3.Connection` class the engine uses for file databases
(`factory=` of `sqlite3.connect`); `extensions.py` calls `wait_for_turn()` before it sends
`BEGIN IMMEDIATE`. Readers are not involved: in WAL mode they never wait for a writer.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

try:
    import fcntl
except ImportError:  # not on Windows: then only the threads of one process queue
    fcntl = None

POLL_SECONDS = 0.0005


class WriterQueue:
    """The queue of writers of one database file in this process."""

    def __init__(self, lock_path: str):
        self.lock_path = lock_path
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._no_lock_file = fcntl is None

    def acquire(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the turn to write; raises "database is locked" after."""
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        if self._no_lock_file:
            return
        if self._fd is None:
            try:
                self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only directory: SQLite's own busy handler still applies
                self._no_lock_file = True
                return
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(POLL_SECONDS)


_queues: dict[str, WriterQueue] = {}
_queues_lock = threading.Lock()


def queue_for(database: str) -> WriterQueue | None:
    """The writer queue of a database file; None for in-memory databases and URIs."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database)
    with _queues_lock:
        queue = _queues.get(path)
        if queue is None:
            queue = _queues[path] = WriterQueue(path + "-writers.lock")
        return queue


def _forget_queues_after_fork() -> None:
    # A forked worker starts with its own queues: a lock held by a thread of the parent at the
    # time of the fork would never be released in the child, and flock belongs to the file
    # description, which the child shares with its parent.
    global _queues_lock
    _queues.clear()
    _queues_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_queues_after_fork)


class WriterQueuedConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions take the database's writer queue first."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._writer_queue = queue_for(os.fsdecode(database))
        self._holds_queue = False

    def wait_for_turn(self, timeout: float) -> None:
        """Wait for this database's turn to write; send `BEGIN IMMEDIATE` right after. The turn
        ends with the next commit or rollback (or `leave_queue()` if the BEGIN failed)."""
        if self._writer_queue is not None and not self._holds_queue:
            self._writer_queue.acquire(timeout)
            self._holds_queue = True

    def leave_queue(self) -> None:
        if self._holds_queue:
            self._holds_queue = False
            self._writer_queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_queue()
