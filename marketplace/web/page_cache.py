"""Whole responses of public catalogue pages for anonymous visitors, kept a few seconds per process.

Only what every anonymous visitor sees alike is kept: a GET answered 200, rendered for nobody
in particular (no user, no API token, no flash message waiting), that neither generated a CSRF
token nor changed the session. The key is host, path with query string and language. Logged-in
visitors and API clients with a token always get a fresh answer. Stock shown may be
`PAGE_CACHE_SECONDS` old; the basket and checkout check it again. `PAGE_CACHE_SECONDS = 0`
turns the cache off (the test suite's default).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

MAX_ENTRIES = 1000
MAX_BODY_BYTES = 512 * 1024
# Headers of the view's own response worth replaying; after_request hooks add the rest again.
_KEPT_HEADERS = ("Content-Type", "Cache-Control")
_CSRF_MARKER = b'name="csrf_token"'


class PageCache:
    """A bounded dict of (status, headers, body) with an expiry time, least recently used out first."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[float, int, list, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, now: float) -> tuple[int, list, bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, status, headers, body = entry
            if expires <= now:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return status, headers, body

    def set(self, key: tuple, status: int, headers: list, body: bytes, expires: float) -> None:
        with self._lock:
            self._entries[key] = (expires, status, headers, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def get_page_cache(app: Flask | None = None) -> PageCache:
    """This process's cache of the app, made on first use."""
    app = app or current_app._get_current_object()
    cache = app.extensions.get("page_cache")
    if cache is None:
        cache = app.extensions.setdefault("page_cache", PageCache())
    return cache


def _is_anonymous_request() -> bool:
    if request.method != "GET" or "Authorization" in request.headers:
        return False
    if session.get("_flashes"):
        return False  # the page would show this visitor's message
    return not current_user.is_authenticated


def _storable(response: Response) -> bool:
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return False
    if "Set-Cookie" in response.headers or "csrf_token" in g or session.modified:
        return False
    if current_user.is_authenticated or session.get("_flashes"):
        return False
    body = response.get_data()
    return len(body) <= MAX_BODY_BYTES and _CSRF_MARKER not in body


def cached_for_anonymous(view):
    """Serve the view from the page cache to anonymous visitors; see the module docstring."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        seconds = current_app.config.get("PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or not _is_anonymous_request():
            return view(*args, **kwargs)
        cache = get_page_cache()
        key = (request.host, request.full_path, str(get_locale()))
        now = time.monotonic()
        hit = cache.get(key, now)
        if hit is not None:
            status, headers, body = hit
            return Response(body, status=status, headers=headers)
        response = make_response(view(*args, **kwargs))
        if _storable(response):
            headers = [(k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS]
            cache.set(key, response.status_code, headers, response.get_data(), now + seconds)
        return response

    return wrapped
