"""DomainError and HTTP errors → flash message and form again (HTML) or JSON problem (/api/)."""
from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from marketplace.core.errors import DomainError


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def problem(code: str, detail: str, status: int, **extra):
    response = jsonify({"error": code, "detail": detail, **extra})
    response.status_code = status
    return response


def domain_message(error: DomainError) -> str:
    # Messages in core are German msgids; translate at the edge, then fill parameters in.
    text = gettext(error.detail)
    try:
        return text % error.params if error.params else text
    except (KeyError, TypeError, ValueError):
        return text


def handle_domain_error(error: DomainError):
    detail = domain_message(error)
    if wants_json():
        return problem(error.code, detail, error.status, **error.extra())
    flash(detail, "error")
    return redirect(request.referrer or "/")


def handle_csrf_error(error: CSRFError):
    detail = gettext("Das Formular ist abgelaufen oder unvollständig. Bitte erneut senden.")
    if wants_json():
        return problem("csrf_failed", detail, 400)
    return render_template("errors/error.html", status=400, detail=detail), 400


def handle_http_error(error: HTTPException):
    status = error.code or 500
    detail = {
        400: gettext("Die Anfrage ist fehlerhaft."),
        401: gettext("Bitte melden Sie sich an."),
        403: gettext("Dafür fehlt die Berechtigung."),
        404: gettext("Diese Seite gibt es nicht."),
        405: gettext("Diese Methode ist hier nicht erlaubt."),
        413: gettext("Die Anfrage ist zu groß."),
        429: gettext("Zu viele Anfragen. Bitte warten Sie einen Moment."),
    }.get(status, error.description or gettext("Ein Fehler ist aufgetreten."))
    if wants_json():
        code = (error.name or "error").lower().replace(" ", "_")
        response = problem(code, detail, status)
        if error.response is not None and status == 429:
            response.headers.update(error.get_headers())
        return response
    return render_template("errors/error.html", status=status, detail=detail), status


def handle_unexpected(error: Exception):
    # The traceback goes to the log; the person sees a calm page, the client a JSON problem.
    from flask import current_app

    current_app.logger.exception("unhandled error", exc_info=error)
    detail = gettext("Ein interner Fehler ist aufgetreten. Wir kümmern uns darum.")
    if wants_json():
        return problem("internal_error", detail, 500)
    return render_template("errors/error.html", status=500, detail=detail), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    if not app.debug and not app.testing:
        app.register_error_handler(Exception, handle_unexpected)
