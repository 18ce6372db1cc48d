"""Whole responses of public catalogue pages for anonymous visitors, never stale after a change.

Only what every anonymous visitor sees alike is kept: a GET answered 200, rendered for nobody
in particular (no user, no API token, no flash message waiting), that neither generated a CSRF
token nor changed the session, and that its view did not keep out (`keep_out_of_page_cache`).
The key is the catalogue's version (`catalog/versions.py`, raised in the transaction of every
change to stock, price, availability or a producer), host, path with query string, language
and text size: after a committed change the next request reads the new version and renders
afresh, in every worker. Entries live in Flask-Caching's cache (`cache`
in `extensions.py`): Redis, shared by all workers, when `REDIS_URL` is set, otherwise a
`SimpleCache` per process. An unchanged page is kept `PAGE_CACHE_SECONDS`; 0 turns the cache
off (the test suite's default). Logged-in visitors and API clients with a token always get a
fresh answer.
"""
from __future__ import annotations

import hashlib
import logging
import math
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from marketplace.catalog.versions import get_catalog_version
from marketplace.extensions import cache, limiter
from marketplace.web.i18n import select_text_size

MAX_BODY_BYTES = 512 * 1024
# Headers of the view's own response worth replaying; after_request hooks add the rest again.
_KEPT_HEADERS = ("Content-Type", "Cache-Control")
_CSRF_MARKER = b'name="csrf_token"'
_KEEP_OUT = "landkorb.keep_out_of_page_cache"
log = logging.getLogger(__name__)


def clear_page_cache() -> None:
    """Drop every entry of this app's cache (only keys under its `CACHE_KEY_PREFIX` in Redis)."""
    cache.clear()


def _is_anonymous_request() -> bool:
    if request.method != "GET" or "Authorization" in request.headers:
        return False
    if not request.cookies:
        return True  # no session, no remember-me cookie: nobody logged in, no flash waiting
    if session.get("_flashes"):
        return False  # the page would show this visitor's message
    return not current_user.is_authenticated


def keep_out_of_page_cache() -> None:
    """This response is not to be stored: the next visitor's request must reach the view (a
    search that found nothing is counted on each request, `catalog/unanswered.py`). Marked on
    the request, not on `g`: an app context (and its `g`) may outlive one request."""
    request.environ[_KEEP_OUT] = True


def _storable(response: Response) -> bool:
    if request.environ.get(_KEEP_OUT):
        return False
    if response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return False
    if "Set-Cookie" in response.headers or "csrf_token" in g or session.modified:
        return False
    if current_user.is_authenticated or session.get("_flashes"):
        return False
    body = response.get_data()
    return len(body) <= MAX_BODY_BYTES and _CSRF_MARKER not in body


def _cache_call(method, *args, **kwargs):
    """A cache that is down (Redis unreachable) costs a fresh page, not an error page."""
    try:
        return method(*args, **kwargs)
    except Exception:  # any backend's failure: redis-py's, cachelib's
        log.exception("page cache unavailable")
        return None


def page_key(version: int) -> str:
    """The cache key of this request's page at a catalogue version."""
    where = f"{request.host}\n{request.full_path}\n{get_locale()}\n{select_text_size()}".encode()
    return f"{version}:{hashlib.sha256(where).hexdigest()}"


def cached_for_anonymous(view):
    """Serve the view from the page cache to anonymous visitors; see the module docstring."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        seconds = current_app.config.get("PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or not _is_anonymous_request():
            return view(*args, **kwargs)
        # The version is read before the view reads the catalogue: a change committed in
        # between can only put a newer page under the older key, never an older page under
        # the newer one.
        key = page_key(get_catalog_version())
        hit = _cache_call(cache.get, key)
        if hit is not None:
            status, headers, body = hit
            return Response(body, status=status, headers=headers)
        response = make_response(view(*args, **kwargs))
        if _storable(response):
            headers = [(k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS]
            entry = (response.status_code, headers, response.get_data())
            _cache_call(cache.set, key, entry, timeout=math.ceil(seconds))
        return response

    # Public pages carry no rate limit; exempting them spares every hit the limiter's lookup.
    return limiter.exempt(wrapped)
