"""The kinds of notification and their texts: templates/notifications/<kind>/ in German and English.

Each kind has `subject.txt`, `text.txt`, `html.html` (the e-mail's HTML) and `sms.txt` (at most
160 GSM-7 characters, checked by a test over every kind with the kind's `sample` context).
A later issue registers its own kinds here with `register_kind`.

Context values are plain JSON; keys ending in `_date` hold ISO dates and `_at` ISO times, and
reach the templates as dates and datetimes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale

LANGUAGES = ("de", "en")
PARTS = ("subject.txt", "text.txt", "html.html", "sms.txt")


@dataclass(frozen=True)
class Kind:
    name: str
    # A realistic context with long values: the SMS length test renders every kind with it.
    # Its keys are the ones every context of the kind must have.
    sample: dict
    # Its texts carry a secret (a pickup code, an invitation link): they are for the recipient
    # alone, and for the staff who hand over its printed slip (notifications.queries).
    secret: bool = False


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


KINDS: dict[str, Kind] = {}


class UnknownKind(ValueError):
    """A notification of a kind nobody registered (a programming error, not a user's)."""


class MissingContext(ValueError):
    """The context lacks a value the kind's texts need (its sample names them all)."""


def register_kind(name: str, *, sample: dict, secret: bool = False) -> Kind:
    kind = Kind(name=name, sample=sample, secret=secret)
    KINDS[name] = kind
    return kind


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def check_context(kind: str, context: dict) -> None:
    """Refuse a context that lacks what the kind's texts need, or that the outbox cannot store."""
    missing = sorted(set(get_kind(kind).sample) - set(context))
    if missing:
        raise MissingContext(f"{kind} needs {', '.join(missing)}")
    json.dumps(context)


def _template_values(context: dict) -> dict:
    values = dict(context)
    for key, value in context.items():
        if isinstance(value, str) and key.endswith("_date"):
            values[key] = date.fromisoformat(value)
        elif isinstance(value, str) and key.endswith("_at"):
            values[key] = datetime.fromisoformat(value)
    return values


def render(kind: str, context: dict, language: str) -> Rendered:
    """The texts of a notification in `language` (German when it is not one of ours).

    Straight from the Jinja environment, not `render_template`: a job renders without a
    request, where the page context processors have nothing to read."""
    check_context(kind, context)
    language = language if language in LANGUAGES else LANGUAGES[0]
    values = _template_values(context)
    env = current_app.jinja_env
    with force_locale(language):
        parts = [
            env.get_template(f"notifications/{kind}/{part}").render(**values).strip()
            for part in PARTS
        ]
    subject, text, html, sms = parts
    return Rendered(subject=" ".join(subject.split()), text=text, html=html, sms=" ".join(sms.split()))


_ORDER_SAMPLE = {
    "order_number": "LK-WXYZ-ABCD", "resident_name": "Hildegard Müller-Lüdenscheidt",
    "delivery_date": "2026-12-30", "cutoff_at": "2026-12-28T17:00:00+00:00",
    "total_cents": 123456, "fulfilment": "sales_point",
    "place_name": "Dorfgemeinschaftshaus Oberdürenbach-Niederzissen am Brohlbach",
    "door_town": "Niederdürenbach-Oberzissen",
}
register_kind("order_placed", sample=_ORDER_SAMPLE)
register_kind("order_confirmed", sample=_ORDER_SAMPLE)
register_kind("order_cancelled", sample=_ORDER_SAMPLE)

_STANDING_LINES = [
    {"product_id": 1, "name": "Bauernbrot aus dem Holzofen, 1000 g, Dinkel-Roggen", "quantity": 2,
     "reason": "sold_out"},
    {"product_id": 2, "name": "Freilandeier vom Hühnermobil, Größe M, 10 Stück", "quantity": 1,
     "reason": "unavailable"},
]
register_kind("standing_order_placed", sample={
    **_ORDER_SAMPLE, "ordered": [{"name": "Vollmilch 3,8 % aus dem Maifeld", "quantity": 12}],
    "not_ordered": _STANDING_LINES,
})
register_kind("standing_order_failed", sample={
    "resident_name": _ORDER_SAMPLE["resident_name"], "delivery_date": "2026-12-30",
    "fulfilment": "sales_point", "place_name": _ORDER_SAMPLE["place_name"],
    "door_town": _ORDER_SAMPLE["door_town"], "reason": "nothing_available", "not_ordered": _STANDING_LINES,
})

# Packing a delivery day (orders/packing.py): to residents, and to producers' staff.
_LINE_SAMPLE = {**_ORDER_SAMPLE, "product_name": "Bauernbrot aus dem Holzofen, 1000 g, Dinkel-Roggen"}
register_kind("order_line_short", sample={**_LINE_SAMPLE, "short_quantity": 12, "quantity": 12, "short_cents": 12345})
register_kind("order_line_weighed", sample={
    **_LINE_SAMPLE, "weight_grams": 12345, "line_before_cents": 12345, "line_total_cents": 12399,
})
register_kind("order_lines_declined", sample={
    **_ORDER_SAMPLE, "producer_name": "Hofladen Schmitz-Oberdürenbach am Brohlbach",
    "declined": [{"name": "Vollmilch 3,8 % aus dem Maifeld", "quantity": 12}],
})
_DAY_SAMPLE = {
    "producer_name": "Hofladen Schmitz-Oberdürenbach am Brohlbach", "sub_region_name": "Maifeld-Mosel",
    "delivery_date": "2026-12-30", "orders": 123, "turnover_cents": 123456, "minimum_cents": 150000,
    "lines": [{"name": "Vollmilch 3,8 % aus dem Maifeld", "quantity": 12}],
}
register_kind("producer_day_list", sample=_DAY_SAMPLE)
register_kind("producer_day_below_minimum", sample=_DAY_SAMPLE)
