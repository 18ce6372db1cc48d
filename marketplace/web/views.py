"""Home page, language switch and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from marketplace.catalog import queries as catalog_queries
from marketplace.extensions import db, writes_on_get
from marketplace.regions import queries as region_queries
from marketplace.web.i18n import TEXT_SIZES

bp = Blueprint("web", __name__)


@bp.get("/")
def home():
    region = region_queries.get_default_region()
    sub_regions = region_queries.list_sub_regions_with_places(region) if region else []
    producers = catalog_queries.list_approved_producers()
    return render_template(
        "web/home.html", region=region, sub_regions=sub_regions, producers=producers
    )


@bp.get("/sprache/<lang>")
@writes_on_get
def set_language(lang: str):
    # A link, not a form: pages then carry no CSRF token and can be cached for anonymous
    # visitors. The worst a foreign page can do with it is switch someone's language.
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated and current_user.locale != lang:
            current_user.locale = lang
            db.session.commit()
    return redirect(_local_next())


@bp.get("/textgroesse/<size>")
def set_text_size(size: str):
    # A link like the language switch; the size lives in the session and survives page changes.
    if size in TEXT_SIZES:
        session["text_size"] = size
    return redirect(_local_next())


def _local_next() -> str:
    target = request.args.get("next") or "/"
    # Only local paths: the switches must not become an open redirect.
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        target = "/"
    return target


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
