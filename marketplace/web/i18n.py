"""Locale choice: German first, English second; the visitor's choice is kept in the session."""
from __future__ import annotations

from flask import Flask, current_app, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_languages():
        return {"languages": app.config["LANGUAGES"], "current_locale": select_locale()}
