"""Locale choice: German first, English second; the visitor's choice is kept in the session.
The text size ("large text" in the header) is kept there too and read the same way."""
from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not request.cookies and "Authorization" not in request.headers:
        # Nobody known and no choice kept (no session, no token): the default, without
        # opening the session or loading a user (the page cache's hits come this way).
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


TEXT_SIZES = ("normal", "gross")


def select_text_size() -> str:
    """"gross" when the visitor asked for large text (kept in the session), else "normal"."""
    if not request.cookies:
        return "normal"  # no session: the default, without opening one
    return "gross" if session.get("text_size") == "gross" else "normal"


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_languages():
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale(),
                "text_size": select_text_size()}
