"""Template filters: money as '12,50 €', dates and times in the visitor's language."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from marketplace.core.money import format_cents


def money(cents: int | None) -> str:
    if cents is None:
        return ""
    return format_cents(int(cents), str(get_locale() or "de"))


def day(value: date, format: str = "full") -> str:
    return format_date(value, format=format)


def short_day(value: date) -> str:
    return format_date(value, format="EEE, d. MMM" if str(get_locale()) == "de" else "EEE, MMM d")


def moment(value: datetime, format: str = "medium") -> str:
    return format_datetime(value, format=format)


def clock(value: time) -> str:
    return value.strftime("%H:%M")


def number(value, digits: int = 1) -> str:
    return format_decimal(round(float(value), digits), format="#,##0." + "0" * digits if digits else "#,##0")


def init_app(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(day)
    app.add_template_filter(short_day)
    app.add_template_filter(moment)
    app.add_template_filter(clock)
    app.add_template_filter(number)
    init_navigation(app)


def nav_links() -> list[tuple[str, str]]:
    """Main navigation: only the pages that the registered blueprints provide."""
    from flask import current_app
    from flask_babel import gettext

    candidates = [
        ("web.home", gettext("Start")),
        ("catalog.index", gettext("Produkte")),
        ("orders.cart", gettext("Warenkorb")),
        ("orders.my_orders", gettext("Meine Bestellungen")),
    ]
    return [(e, label) for e, label in candidates if e in current_app.view_functions]


def url_exists(endpoint: str) -> bool:
    from flask import current_app

    return endpoint in current_app.view_functions


def init_navigation(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
    app.jinja_env.globals["url_exists"] = url_exists
