"""Demo data for packing: Hofladen Schmitz sells its pumpkins by weight (ca. 1.200 g, ±20 %),
asks for a minimum turnover in one sub-region, and gets its cut-off lists for closed days."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.catalog.models import Producer, Product
from marketplace.extensions import db
from marketplace.orders.models import ProducerMinimum
from marketplace.orders.packing import send_cutoff_lists
from marketplace.regions.models import SubRegion

PRODUCER_SLUG = "hofladen-schmitz"
BY_WEIGHT = "Kürbis Hokkaido"
MINIMUM = ("pellenz-rhein", 2500)


def seed_packing_catalogue() -> None:
    """Before any demo order: the variable-weight product and the minimum (kept when set)."""
    producer = db.session.scalars(select(Producer).where(Producer.slug == PRODUCER_SLUG)).first()
    if producer is None:
        return
    product = db.session.scalars(select(Product).where(
        Product.producer_id == producer.id, Product.name == BY_WEIGHT)).first()
    if product is not None and product.weight_tolerance_pct is None and product.nominal_weight_g:
        product.weight_tolerance_pct = 20
    slug, cents = MINIMUM
    sub_region = db.session.scalars(select(SubRegion).where(SubRegion.slug == slug)).first()
    if sub_region is not None and db.session.scalars(select(ProducerMinimum).where(
            ProducerMinimum.producer_id == producer.id, ProducerMinimum.sub_region_id == sub_region.id)).first() is None:
        db.session.add(ProducerMinimum(producer_id=producer.id, sub_region_id=sub_region.id, minimum_cents=cents))
    db.session.flush()


def seed_packing_lists(now: datetime) -> int:
    """After the demo orders: the cut-off lists of the days whose cut-off has passed (once)."""
    return send_cutoff_lists(now=now)
