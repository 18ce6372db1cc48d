"""Reads about producers and products."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Producer, Product
from marketplace.extensions import db
from marketplace.regions.models import Municipality, Place


def list_approved_producers(sub_region_id: int | None = None) -> list[Producer]:
    query = (
        select(Producer)
        .where(Producer.is_approved.is_(True))
        .options(joinedload(Producer.place).joinedload(Place.municipality))
        .order_by(Producer.name)
    )
    if sub_region_id is not None:
        query = query.join(Producer.place).join(Place.municipality).where(
            Municipality.sub_region_id == sub_region_id
        )
    return list(db.session.scalars(query))


def count_active_products_by_producer() -> dict[int, int]:
    rows = db.session.execute(
        select(Product.producer_id, func.count())
        .where(Product.is_active.is_(True))
        .group_by(Product.producer_id)
    )
    return dict(rows.all())


def list_products_of_producer(producer_id: int) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.producer_id == producer_id)
            .options(joinedload(Product.category))
            .order_by(Product.name)
        )
    )
