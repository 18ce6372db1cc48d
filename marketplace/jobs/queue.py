"""Where background work runs: on the RQ queue "landkorb" when REDIS_URL is set, else in process.

`make worker` (`flask --app wsgi jobs worker`) starts the RQ worker inside the application;
a function the worker calls is wrapped in `in_app_context`, so that a plain
`rq worker landkorb --url $REDIS_URL` can run it too.
"""
from __future__ import annotations

import threading
from functools import wraps

from flask import Flask, current_app, has_app_context

QUEUE_NAME = "landkorb"
_worker_app: Flask | None = None


def queue_name(app: Flask) -> str:
    return app.config.get("JOBS_QUEUE") or QUEUE_NAME


def redis_connection(url: str):
    from redis import Redis

    return Redis.from_url(url)


def rq_queue(app: Flask):
    """The RQ queue, or None without REDIS_URL."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from rq import Queue

    return Queue(queue_name(app), connection=redis_connection(url))


def in_app_context(func):
    """Run `func` in the current application context, or in one of an app built once per process."""

    @wraps(func)
    def wrapped(*args, **kwargs):
        global _worker_app
        if has_app_context():
            return func(*args, **kwargs)
        if _worker_app is None:
            from marketplace import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return func(*args, **kwargs)

    return wrapped


def run_in_background(func, *args, timeout_s: int) -> object:
    """Start `func(*args)` after the caller's commit: the RQ job, or a thread without Redis.

    `JOBS_EAGER` (tests) runs it at once in the caller. Returns the RQ job, the thread, or None.
    """
    app: Flask = current_app._get_current_object()
    if app.config.get("JOBS_EAGER"):
        func(*args)
        return None
    queue = rq_queue(app)
    if queue is not None:
        return queue.enqueue(func, *args, job_timeout=timeout_s)
    thread = threading.Thread(target=_run_in_thread, args=(app, func, args), daemon=True,
                              name=f"job-{func.__name__}")
    thread.start()
    return thread


def _run_in_thread(app: Flask, func, args: tuple) -> None:
    with app.app_context():
        func(*args)
