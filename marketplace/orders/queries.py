"""Reads about orders: a resident's orders, one order with its lines and events, and baskets."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.orders.models import Cart, CartItem, Order, OrderLine

_ORDER_DETAIL = (
    selectinload(Order.lines),
    selectinload(Order.events),
    joinedload(Order.pickup_place),
)


def list_orders_of_resident(resident_id: int, *, limit: int = 100, offset: int = 0) -> list[Order]:
    """Newest first, with lines, events and pickup place loaded (no query per row)."""
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.resident_id == resident_id)
            .options(*_ORDER_DETAIL)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit).offset(offset)
        ).unique()
    )


def count_orders_of_resident(resident_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Order).where(Order.resident_id == resident_id)
    ) or 0


def get_order(order_id: int) -> Order | None:
    """One order with lines, events and pickup place; who may see it is
    `accounts.permissions.can_see_order`."""
    return db.session.scalars(
        select(Order).where(Order.id == order_id).options(*_ORDER_DETAIL)
    ).first()


def get_order_by_number(number: str) -> Order | None:
    return db.session.scalars(
        select(Order).where(Order.number == number).options(*_ORDER_DETAIL)
    ).first()


def get_cart_of(user_id: int) -> Cart | None:
    """The basket with its items and their products and producers loaded."""
    return db.session.scalars(
        select(Cart)
        .where(Cart.user_id == user_id)
        .options(
            selectinload(Cart.items).joinedload(CartItem.product).joinedload(Product.producer)
        )
    ).first()


def count_cart_items(user_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(CartItem.quantity), 0))
        .join(Cart, CartItem.cart_id == Cart.id)
        .where(Cart.user_id == user_id)
    ) or 0


def list_lines_of_order(order_id: int) -> list[OrderLine]:
    return list(
        db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id))
    )
