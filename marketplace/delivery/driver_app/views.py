"""The driver's phone app on the `delivery` blueprint: the shell, its manifest and its service worker.

The shell carries a bearer token for /api/v1/driver (the app talks to the API, not to the
session), the strings in the driver's language, and the day whose tours it keeps.
"""
from __future__ import annotations

from flask import current_app, render_template, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import role_required
from marketplace.api.auth import issue_token
from marketplace.core.clock import local_today, utcnow
from marketplace.delivery import queries
from marketplace.delivery.views import _coordinated, _parse_day, bp

SCOPE = "/delivery/driver/app/"


def _strings() -> dict[str, str]:
    return {
        "start": _("Tour starten"), "end": _("Tour beenden (zurück am Lager)"),
        "arrived": _("Angekommen"), "delivered": _("Zustellung bestätigen"), "picked": _("Abholung bestätigen"),
        "partly": _("Teilweise zugestellt"), "failed": _("Nicht zugestellt"), "note": _("Was ist passiert?"),
        "note_needed": _("Bitte kurz schreiben, was passiert ist."), "returned": _("Kommt zurück ins Lager"),
        "send": _("Melden"), "empty_crates": _("Leere Kisten zurück"), "returns": _("Was kommt zurück?"),
        "pending": _("Wartet auf Senden"), "rejected": _("Abgelehnt"), "none_pending": _("Alles gesendet."),
        "offline": _("Kein Netz: Meldungen werden gespeichert und später gesendet."),
        "online": _("Online"), "loaded": _("Stand"), "no_tours": _("Keine veröffentlichte Tour für diesen Tag."),
        "all_done": _("Alle Halte sind erledigt. Zurück zum Lager."), "next": _("Nächster Halt"),
        "stops": _("Alle Halte"), "navigate": _("Navigation öffnen"), "planned": _("geplant"),
        "expected": _("erwartet"), "unload": _("Ausladen"), "load": _("Einladen"), "contact": _("Kontakt"),
        "ambient": _("ungekühlt"), "chilled": _("gekühlt"), "frozen": _("tiefgekühlt"), "done": _("erledigt"),
        "outcome_partly": _("teilweise"), "outcome_failed": _("nicht zugestellt"), "started": _("unterwegs"),
        "ended": _("beendet"), "map": _("Karte"), "compartments": _("Fächer"), "distribution": _("Verteiltour"),
        "collection": _("Sammeltour"), "not_loaded": _("Die Tour ist noch nicht geladen. Bitte mit Netz öffnen."),
        "sync_now": _("Jetzt senden"), "sent": _("gesendet"), "dismiss": _("Gelesen"),
    }


@bp.get("/driver/app/")
@role_required(Role.DRIVER)
def driver_app():
    now = utcnow()
    tours = queries.list_driver_tours(current_user, local_today(now))
    day = tours[0].delivery_date if tours else local_today(now)
    response = current_app.make_response(render_template(
        "delivery/driver_app.html", day=day, token=issue_token(current_user), strings=_strings(), scope=SCOPE,
        driver=current_user))
    # It carries a token: no shared cache may keep it (the app's own service worker keeps its copy).
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/driver/app/manifest.webmanifest")
def driver_app_manifest():
    body = {
        "name": _("Landkorb Fahrer"), "short_name": _("Fahrer"), "lang": "de",
        "start_url": SCOPE, "scope": SCOPE, "display": "standalone",
        "background_color": "#f4f6f1", "theme_color": "#2f6b3a",
        "icons": [{"src": url_for("static", filename="img/driver-icon.svg"), "sizes": "any",
                   "type": "image/svg+xml", "purpose": "any"}],
    }
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/manifest+json")
    return response


@bp.get("/driver/app/sw.js")
def driver_app_worker():
    """The service worker from static/, served inside the app's path so that its scope is the app."""
    response = send_from_directory(current_app.static_folder, "js/driver-sw.js", mimetype="text/javascript",
                                   max_age=0)
    response.headers["Service-Worker-Allowed"] = SCOPE
    response.headers["Cache-Control"] = "no-cache"
    return response


def _progress_json(tour) -> dict:
    progress = queries.get_tour_progress(tour)
    return {"id": tour.id, "state": progress.state, "done": progress.done, "stops": progress.stops,
            "next": progress.next_label,
            "next_expected": progress.next_expected.isoformat() if progress.next_expected else None,
            "delay_minutes": progress.delay_minutes}


@bp.get("/<slug>/days/<day>/progress")
@role_required(Role.COORDINATOR)
def day_progress(slug: str, day: str):
    """Each tour's progress for the coordinator's day view, polled while tours are under way."""
    sub_region, the_day = _coordinated(slug), _parse_day(day)
    return {"tours": [_progress_json(t) for t in queries.list_tours(the_day, sub_region.id, published_only=True)]}
