"""Reads about producers and products."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, literal, select, true, union_all
from sqlalchemy.orm import joinedload

from marketplace.catalog import search
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


def list_products_of_producer(producer_id: int, *, archived: bool = False) -> list[Product]:
    """A producer's products by name: the current ones, or with `archived` the archived ones."""
    archived_filter = Product.archived_at.is_not(None) if archived else Product.archived_at.is_(None)
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.producer_id == producer_id, archived_filter)
            .options(joinedload(Product.category))
            .order_by(Product.name)
        )
    )


def list_producer_products_page(
    producer_id: int, *, include_archived: bool, limit: int, offset: int,
) -> tuple[list[Product], int]:
    """One page of a producer's own products by name (paused ones too), and how many there are."""
    conditions = [Product.producer_id == producer_id]
    if not include_archived:
        conditions.append(Product.archived_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Product).where(*conditions))
    products = db.session.scalars(
        select(Product).where(*conditions)
        .options(joinedload(Product.category), joinedload(Product.producer))
        .order_by(Product.name, Product.id).limit(limit).offset(offset)
    )
    return list(products), total


# --- The catalogue: products of approved producers, nearest producer first -----------------

# Counting stops here per producer: an exact COUNT over 100,000 rows on every page costs more
# than the page itself. Above the cap the page says "more than N" (N the sum of the capped
# counts). A farm or bakery rarely offers more; a catalogue of 100,000 read 14,000 index
# entries per page with a cap of 1,000.
COUNT_CAP = 250
FEW_LEFT = 5
# A name search with up to this many hits is counted exactly and cut in Python; above it the
# page says "more than N" like the whole catalogue does, and only what the page needs is counted.
# Finding out reads up to N + 1 matching rows, so N stays small: ten pages of 24 and a few more
# (at 1,000 the probe read 8,000 rows of a 100,000-product catalogue for a common word).
FEW_SEARCH_HITS = 250
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
    # "= true", not "IS TRUE": PostgreSQL can use an index only for the former (the column is
    # NOT NULL, so both mean the same).
    conditions = [Product.is_active == true()]
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
        # The LIKE or GLOB decides (every character literal); a trigram index finds candidates.
        pattern = f"%{escape_like(q)}%"
        if db.engine.dialect.name == "postgresql":
            # The stored lower-case name against the lower-cased pattern: the same matches as
            # ILIKE on the name, at a third of the cost per row (README, "Performance").
            conditions.append(Product.name_search.like(func.lower(pattern), escape="\\"))
        elif q.isascii():
            conditions.append(Product.name.ilike(pattern, escape="\\"))
        else:
            # SQLite's LIKE folds ASCII letters only: "äpfel" would miss "Äpfel". GLOB with both
            # cases of every letter finds it (at twice the cost per row, so only for such text).
            conditions.append(Product.name.op("GLOB")(search.glob_any_case(q)))
    return conditions


def _name_hits(filters: CatalogFilter):
    """Ids that may match the name search from SQLite's trigram table, or None (see search.py).

    Only for finding few hits: with many, walking a producer's names with the ILIKE alone is
    cheaper than reading every hit."""
    q = (filters.q or "").strip()
    if not q or db.engine.dialect.name != "sqlite":
        return None  # PostgreSQL's trigram index serves the ILIKE itself
    return search.sqlite_name_hits(q)


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


def _few_search_hits(producer_ids: list[int], conditions: list, hits) -> list | None:
    """All matching (id, producer_id, name) rows when there are at most FEW_SEARCH_HITS, else None.

    On SQLite read from the trigram table's hits to the products (`hits`); PostgreSQL's ILIKE
    uses its trigram index by itself. A rare word costs as little in a large catalogue as in a
    small one, and a common one stops after FEW_SEARCH_HITS + 1 rows.
    """
    def matching(*columns):
        statement = select(*columns)
        if hits is not None:
            # The hits first, each looked up by its id: whatever the filters, the work grows with
            # the hits, not with the catalogue (see `HitsFirstJoin`).
            found = hits.subquery()
            statement = statement.select_from(
                search.HitsFirstJoin(found, Product.__table__, Product.id == found.c.rowid)
            )
        return statement.where(Product.producer_id.in_(producer_ids), *conditions)

    # Counted first, in the database: a common word then costs no rows carried into Python.
    probe = matching(Product.id).limit(FEW_SEARCH_HITS + 1).subquery()
    if db.session.scalar(select(func.count()).select_from(probe)) > FEW_SEARCH_HITS:
        return None
    return db.session.execute(matching(Product.id, Product.producer_id, Product.name)).all()


def list_catalog(filters: CatalogFilter, page: int = 1, per_page: int = 24) -> CatalogPage:
    """One page of the catalogue, nearest producer first, then by product name.

    A fixed number of queries whatever the page size or catalogue size: producers with their
    places, capped counts per producer, the page's ids, the page's products (a name search
    first asks for up to FEW_SEARCH_HITS hits and, when that is all, cuts the page from them). Distances are
    computed in Python once per producer; the page is cut per producer with LIMIT/OFFSET so
    the database never sorts the whole catalogue.
    """
    page = max(1, page)
    per_page = max(1, per_page)
    ranked = list_catalog_producers(filters)
    if not ranked:
        return CatalogPage([], page, 0, 0, per_page)
    conditions = _product_conditions(filters)
    hits = _name_hits(filters)
    producer_ids = [producer.id for producer, _ in ranked]
    offset = (page - 1) * per_page
    cap = max(COUNT_CAP, offset + per_page) + 1
    if filters.q:
        few = _few_search_hits(producer_ids, conditions, hits)
        if few is not None:
            # Every hit is at hand: count and cut the page in Python.
            rank = {producer_id: i for i, producer_id in enumerate(producer_ids)}
            few.sort(key=lambda row: (rank[row.producer_id], row.name, row.id))
            ids = [row.id for row in few[offset: offset + per_page]]
            return _catalog_page(ranked, ids, page, len(few), True, per_page)
        # More than FEW_SEARCH_HITS hits: count per producer only as far as this page needs.
        cap = offset + per_page + 1
    if len(producer_ids) > _MAX_UNION_TERMS:
        counts = _grouped_counts(producer_ids, conditions)
    else:
        counts = _capped_counts(producer_ids, conditions, cap)
    exact = all(counts.get(pid, 0) < cap for pid in producer_ids)
    total = sum(min(counts.get(pid, 0), cap - 1) for pid in producer_ids)
    if not exact:
        # A lower bound: at least one producer has more. A search with this many hits had
        # more than FEW_SEARCH_HITS.
        total = max(total, COUNT_CAP if not filters.q else FEW_SEARCH_HITS)

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
    ids = _page_ids(segments, conditions) if segments else []
    return _catalog_page(ranked, ids, page, total, exact, per_page)


def _catalog_page(ranked, ids: list[int], page: int, total: int, exact: bool, per_page: int) -> CatalogPage:
    """The page of products `ids`, in that order (one query)."""
    distances = {producer.id: km for producer, km in ranked}
    items: list[CatalogItem] = []
    if ids:
        # Producers and places are already in the session: product.producer needs no query.
        products = {
            p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))
        }
        items = [CatalogItem(products[i], distances[products[i].producer_id]) for i in ids]
    pages = -(-total // per_page)
    if not exact:
        pages = max(pages, page + 1)  # some producer has more than this page reaches
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
