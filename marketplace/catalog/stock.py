"""Taking stock for an order and giving it back: the one place where stock changes for orders.

Stock never goes below zero, also under concurrent checkouts: each product's units are taken by
one guarded `UPDATE … SET stock = stock - :q WHERE id = :id AND stock >= :q` (and the database's
CHECK stands behind it). Products are updated in ascending id order, so two orders of the same
goods lock their rows in the same order and cannot deadlock on PostgreSQL. Made-to-order
products keep their stock NULL (NULL minus or plus anything stays NULL in SQL).
"""
from __future__ import annotations

from sqlalchemy import or_, update

from marketplace.catalog.models import Product
from marketplace.extensions import db


def take_stock(quantities: dict[int, int]) -> int | None:
    """Take `quantities` ({product_id: units}); the id of the first product short of stock, or
    None when everything was taken. On a refusal the caller rolls back (a savepoint at least):
    what was taken of lower ids is still taken."""
    for product_id in sorted(quantities):
        quantity = quantities[product_id]
        result = db.session.execute(
            update(Product)
            .where(Product.id == product_id, or_(Product.stock.is_(None), Product.stock >= quantity))
            .values(stock=Product.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return product_id
        _forget_loaded_stock(product_id)
    return None


def give_back_stock(quantities: dict[int, int]) -> None:
    """Give units back (a cancelled or expired order)."""
    for product_id in sorted(quantities):
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + quantities[product_id])
            .execution_options(synchronize_session=False)
        )
        _forget_loaded_stock(product_id)


def _forget_loaded_stock(product_id: int) -> None:
    # A Product this session has loaded (the checkout's, a page's) shows the old stock otherwise.
    product = db.session.identity_map.get(db.session.identity_key(Product, product_id))
    if product is not None:
        db.session.expire(product, ["stock"])
