"""Human labels for enum values, translated at render time."""
from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l

UNIT_LABELS = {
    "piece": _l("Stück"), "kg": _l("kg"), "100g": _l("100 g"), "500g": _l("500 g"),
    "bunch": _l("Bund"), "litre": _l("Liter"), "bottle": _l("Flasche"),
}
TEMPERATURE_LABELS = {"ambient": _l("ungekühlt"), "chilled": _l("gekühlt"), "frozen": _l("tiefgekühlt")}
COMPARTMENT_STATE_LABELS = {
    "free": _l("frei"), "reserved": _l("reserviert"), "occupied": _l("belegt"),
    "out_of_service": _l("außer Betrieb"),
}
ORDER_STATUS_LABELS = {
    "placed": _l("bestellt"), "confirmed": _l("bestätigt"), "packed": _l("gepackt"),
    "in_transit": _l("unterwegs"), "delivered": _l("zugestellt"), "picked_up": _l("abgeholt"),
    "not_collected": _l("nicht abgeholt"), "returned": _l("zurückgegeben"),
    "expired": _l("verfallen"), "cancelled": _l("storniert"),
}
FULFILMENT_LABELS = {
    "station": _l("Paketstation"), "sales_point": _l("Verkaufsstelle"), "door": _l("Haustür"),
}
PAYMENT_METHOD_LABELS = {
    "pay_on_pickup": _l("bei Abholung (bar oder mit Karte)"), "invoice": _l("auf Rechnung"),
    "stripe": _l("online mit Karte oder SEPA-Lastschrift"),
}
WEEKDAY_LABELS = {
    1: _l("Montag"), 2: _l("Dienstag"), 3: _l("Mittwoch"), 4: _l("Donnerstag"),
    5: _l("Freitag"), 6: _l("Samstag"), 7: _l("Sonntag"),
}


def _label(table):
    def lookup(value) -> str:
        key = getattr(value, "value", value)
        label = table.get(key)
        return str(label) if label is not None else gettext("unbekannt")

    return lookup


def names_its_kind(kind, name: str) -> bool:
    """Whether a pickup place's name already begins with its kind, in German or in the page's
    language ("Paketstation Kehrig Dorfplatz"; "Paketstationen-Weg" does not)."""
    label = FULFILMENT_LABELS.get(getattr(kind, "value", kind))
    if label is None:
        return False
    with force_locale("de"):
        german = str(label)
    words = " ".join(name.split()).casefold()
    return any(words == k or words.startswith(k + " ") for k in {german.casefold(), str(label).casefold()})


def place_label(kind, name: str) -> str:
    """A pickup place as a reader says it: its kind, then its name ("Paketstation Kehrig"), or
    the name alone when it already names the kind."""
    label = FULFILMENT_LABELS.get(getattr(kind, "value", kind))
    if label is None or names_its_kind(kind, name):
        return name
    return f"{label} {name}"


LABELS = {
    "unit_label": _label(UNIT_LABELS),
    "temperature_label": _label(TEMPERATURE_LABELS),
    "compartment_state_label": _label(COMPARTMENT_STATE_LABELS),
    "order_status_label": _label(ORDER_STATUS_LABELS),
    "fulfilment_label": _label(FULFILMENT_LABELS),
    "weekday_label": _label(WEEKDAY_LABELS),
    "payment_method_label": _label(PAYMENT_METHOD_LABELS),
    "place_label": place_label,
    "names_its_kind": names_its_kind,
}


def init_app(app: Flask) -> None:
    for name, function in LABELS.items():
        app.jinja_env.globals[name] = function
        app.add_template_filter(function, name)
