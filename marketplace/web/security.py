"""Security headers on every response."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def content_security_policy(tile_url: str | None) -> str:
    """Only our own origin, plus the tile server's when map tiles are configured."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url)
        images += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def init_app(app: Flask) -> None:
    policy = content_security_policy(app.config.get("MAP_TILE_URL"))

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", policy)
        return response
