"""Jobs for the tick tests: registered in place of the real ones, each counting its runs."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from marketplace.jobs.registry import JOBS, Job
from marketplace.jobs.schedule import Every


class Counter:
    def __init__(self) -> None:
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, now):
        with self._lock:
            self.calls.append(now)
        return len(self.calls)


@pytest.fixture
def register(monkeypatch):
    """`register(*jobs)`: these jobs, and only these, are the registry for the test."""

    def register(*jobs: Job) -> None:
        for name in list(JOBS):
            monkeypatch.delitem(JOBS, name)
        for job in jobs:
            monkeypatch.setitem(JOBS, job.name, job)

    return register


@pytest.fixture
def counted(register):
    """One job due every 5 minutes that counts its runs."""
    counter = Counter()
    job = Job("count", Every(timedelta(minutes=5)), counter)
    register(job)
    return job, counter
