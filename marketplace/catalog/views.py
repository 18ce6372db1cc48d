"""Shop pages: producers and their goods."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from marketplace.catalog import queries
from marketplace.catalog.models import Producer
from marketplace.extensions import db

bp = Blueprint("catalog", __name__)


@bp.get("/erzeuger/<slug>")
def producer(slug: str):
    producer = db.session.scalars(
        select(Producer).where(Producer.slug == slug, Producer.is_approved.is_(True))
    ).first()
    if producer is None:
        abort(404)
    products = [p for p in queries.list_products_of_producer(producer.id) if p.is_active]
    return render_template("catalog/producer.html", producer=producer, products=products)
