"""Reads about producers and products."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import joinedload

from marketplace.catalog.models import Category, Producer, Product, Temperature
from marketplace.extensions import db
from marketplace.regions.geo import distance_km
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


# --- The catalogue: products of approved producers, nearest producer first -----------------

# Counting stops here per producer: an exact COUNT over 100,000 rows on every page costs more
# than the page itself. Above the cap the page says "more than N".
COUNT_CAP = 1000
FEW_LEFT = 5
# SQLite allows 500 terms in a compound SELECT; stay well below with one term per producer.
_MAX_UNION_TERMS = 400


class StockState(enum.StrEnum):
    IN_STOCK = "in_stock"
    FEW_LEFT = "few_left"
    SOLD_OUT = "sold_out"
    MADE_TO_ORDER = "made_to_order"


def stock_state(product: Product) -> StockState:
    if product.stock is None:
        return StockState.MADE_TO_ORDER
    if product.stock <= 0:
        return StockState.SOLD_OUT
    if product.stock <= FEW_LEFT:
        return StockState.FEW_LEFT
    return StockState.IN_STOCK


@dataclass(frozen=True)
class CatalogFilter:
    q: str | None = None
    category_slug: str | None = None
    producer_id: int | None = None
    temperature: Temperature | None = None
    organic: bool | None = None  # True: organic only; None/False: everything
    near: tuple[float, float] | None = None
    radius_km: float | None = None


@dataclass(frozen=True)
class CatalogItem:
    product: Product
    distance_km: float | None


@dataclass(frozen=True)
class CatalogPage:
    items: list[CatalogItem]
    page: int
    pages: int
    total: int
    per_page: int = 24
    # False when counting stopped at the cap: `total` and `pages` are then lower bounds.
    total_is_exact: bool = True

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def escape_like(text: str, escape: str = "\\") -> str:
    """`text` as a literal inside LIKE: %, _ and the escape character lose their meaning."""
    return (
        text.replace(escape, escape * 2).replace("%", escape + "%").replace("_", escape + "_")
    )


def list_catalog_producers(
    filters: CatalogFilter,
) -> list[tuple[Producer, float | None]]:
    """Approved producers that pass the producer/radius filters, nearest first (one query)."""
    query = (
        select(Producer)
        .where(Producer.is_approved.is_(True))
        .options(joinedload(Producer.place))
    )
    if filters.producer_id is not None:
        query = query.where(Producer.id == filters.producer_id)
    producers = list(db.session.scalars(query))
    ranked: list[tuple[Producer, float | None]] = []
    for producer in producers:
        km = (
            distance_km(filters.near, (producer.place.lat, producer.place.lon))
            if filters.near is not None else None
        )
        if km is not None and filters.radius_km is not None and km > filters.radius_km:
            continue
        ranked.append((producer, km))
    ranked.sort(key=lambda pair: (pair[1] if pair[1] is not None else 0.0, pair[0].name, pair[0].id))
    return ranked


def _product_conditions(filters: CatalogFilter) -> list:
    conditions = [Product.is_active.is_(True)]
    if filters.category_slug:
        conditions.append(
            Product.category_id
            == select(Category.id).where(Category.slug == filters.category_slug).scalar_subquery()
        )
    if filters.temperature is not None:
        conditions.append(Product.temperature == filters.temperature)
    if filters.organic:
        conditions.append(Product.is_organic.is_(True))
    q = (filters.q or "").strip()
    if q:
        conditions.append(Product.name.ilike(f"%{escape_like(q)}%", escape="\\"))
    return conditions


def _capped_counts(producer_ids: list[int], conditions: list, cap: int) -> dict[int, int]:
    """Matching products per producer, each count stopping at `cap` (one statement)."""
    terms = []
    for producer_id in producer_ids:
        limited = (
            select(Product.id).where(Product.producer_id == producer_id, *conditions)
            .limit(cap).subquery()
        )
        terms.append(
            select(literal(producer_id).label("producer_id"), func.count().label("n"))
            .select_from(limited)
        )
    if len(terms) == 1:
        rows = db.session.execute(terms[0]).all()
    else:
        rows = db.session.execute(union_all(*terms)).all()
    return {producer_id: n for producer_id, n in rows}


def _grouped_counts(producer_ids: list[int], conditions: list) -> dict[int, int]:
    rows = db.session.execute(
        select(Product.producer_id, func.count())
        .where(Product.producer_id.in_(producer_ids), *conditions)
        .group_by(Product.producer_id)
    ).all()
    return dict(rows)


def _page_ids(segments: list[tuple[int, int, int]], conditions: list) -> list[int]:
    """Product ids for (producer id, skip, take) segments, in segment order, one statement."""
    terms = []
    for rank, (producer_id, skip, take) in enumerate(segments):
        limited = (
            select(Product.id, Product.name)
            .where(Product.producer_id == producer_id, *conditions)
            .order_by(Product.name, Product.id).limit(take).offset(skip).subquery()
        )
        terms.append(
            select(limited.c.id, limited.c.name, literal(rank).label("rank"))
        )
    statement = terms[0] if len(terms) == 1 else union_all(*terms)
    rows = db.session.execute(statement).all()
    rows.sort(key=lambda row: (row.rank, row.name, row.id))
    return [row.id for row in rows]


def list_catalog(filters: CatalogFilter, page: int = 1, per_page: int = 24) -> CatalogPage:
    """One page of the catalogue, nearest producer first, then by product name.

    A fixed number of queries whatever the page size or catalogue size: producers with their
    places, capped counts per producer, the page's ids, the page's products. Distances are
    computed in Python once per producer; the page is cut per producer with LIMIT/OFFSET so
    the database never sorts the whole catalogue.
    """
    page = max(1, page)
    per_page = max(1, per_page)
    ranked = list_catalog_producers(filters)
    if not ranked:
        return CatalogPage([], page, 0, 0, per_page)
    conditions = _product_conditions(filters)
    producer_ids = [producer.id for producer, _ in ranked]
    offset = (page - 1) * per_page
    cap = max(COUNT_CAP, offset + per_page) + 1
    if filters.q or len(producer_ids) > _MAX_UNION_TERMS:
        # A name search cannot use an index on SQLite: one grouped scan beats one per producer.
        counts = _grouped_counts(producer_ids, conditions)
    else:
        counts = _capped_counts(producer_ids, conditions, cap)
    exact = all(counts.get(pid, 0) < cap for pid in producer_ids)
    total = sum(min(counts.get(pid, 0), cap - 1) for pid in producer_ids)
    if not exact:
        total = max(total, COUNT_CAP)
    pages = -(-total // per_page)

    segments: list[tuple[int, int, int]] = []
    position, wanted_end = 0, offset + per_page
    for producer_id in producer_ids:
        n = counts.get(producer_id, 0)
        start, end = position, position + n
        position = end
        if n == 0 or end <= offset:
            continue
        if start >= wanted_end:
            break
        skip = max(0, offset - start)
        take = min(end, wanted_end) - (start + skip)
        segments.append((producer_id, skip, take))
    distances = {producer.id: km for producer, km in ranked}
    items: list[CatalogItem] = []
    if segments:
        ids = _page_ids(segments, conditions)
        # Producers and places are already in the session: product.producer needs no query.
        products = {
            p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))
        }
        items = [CatalogItem(products[i], distances[products[i].producer_id]) for i in ids]
    return CatalogPage(items, page, pages, total, per_page, exact)


def get_shop_product(product_id: int) -> Product | None:
    """An active product of an approved producer, with producer, place and category loaded."""
    return db.session.scalars(
        select(Product)
        .join(Product.producer)
        .where(
            Product.id == product_id, Product.is_active.is_(True),
            Producer.is_approved.is_(True),
        )
        .options(
            joinedload(Product.producer).joinedload(Producer.place).joinedload(Place.municipality),
            joinedload(Product.category),
        )
    ).first()


def list_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.name)))
