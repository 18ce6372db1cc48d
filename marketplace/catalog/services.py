"""Changes to the catalogue: a producer's stock, price and availability of a product."""
from __future__ import annotations

from collections.abc import Mapping

from marketplace.catalog.models import Product
from marketplace.catalog.versions import bump_catalog_version
from marketplace.extensions import db

PRODUCT_CHANGES = frozenset({"stock", "price_cents", "is_active"})


def change_product(product: Product, changes: Mapping[str, object]) -> Product:
    """Set checked values of `PRODUCT_CHANGES` on a product; flushes, the caller commits."""
    unknown = set(changes) - PRODUCT_CHANGES
    if unknown:
        raise ValueError(f"not a product change: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(product, name, value)
    db.session.flush()
    bump_catalog_version()
    return product
