"""Producer, Category and Product: what the region offers, with price, VAT, stock and season."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import User
from marketplace.catalog import search
from marketplace.core.clock import utcnow
from marketplace.core.types import UTCDateTime, str_enum
from marketplace.extensions import db
from marketplace.regions.models import Place


class Unit(enum.StrEnum):
    PIECE = "piece"
    KG = "kg"
    G100 = "100g"
    G500 = "500g"
    BUNCH = "bunch"
    LITRE = "litre"
    BOTTLE = "bottle"


# Grams in one unit where the unit is a weight; millilitres where it is a volume.
UNIT_GRAMS = {Unit.KG: 1000, Unit.G500: 500, Unit.G100: 100}
UNIT_MILLILITRES = {Unit.LITRE: 1000}


class VatStatus(enum.StrEnum):
    """A regular business charges 7 % or 19 %; a small business under §19 UStG charges none."""

    REGULAR = "regular"
    SMALL_BUSINESS = "small_business"


class Temperature(enum.StrEnum):
    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"


class Producer(db.Model):
    __tablename__ = "producers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="RESTRICT"), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The organic control body's code (e.g. DE-ÖKO-006) where the producer is certified.
    organic_control_number: Mapped[str | None] = mapped_column(String(20))
    # Only approved producers are listed; the sub-region's coordinator decides (catalog/onboarding.py).
    is_approved: Mapped[bool] = mapped_column(default=False)
    # The account that applied: it may invite staff. None for producers set up by hand.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Why the coordinator declined the application (shown to the applicant).
    decline_reason: Mapped[str | None] = mapped_column(Text)
    vat_status: Mapped[VatStatus] = mapped_column(
        str_enum(VatStatus, "vat_status", 20), default=VatStatus.REGULAR
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    place: Mapped[Place] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    products: Mapped[list[Product]] = relationship(back_populates="producer")

    __table_args__ = (
        CheckConstraint(
            "decline_reason IS NULL OR (NOT is_approved AND decided_at IS NOT NULL)",
            name="declined_with_reason",
        ),
    )

    @property
    def is_pending(self) -> bool:
        """Applied and waiting for the coordinator's decision."""
        return not self.is_approved and self.decided_at is None

    @property
    def is_declined(self) -> bool:
        return not self.is_approved and self.decided_at is not None

    @property
    def vat_rates(self) -> tuple[int, ...]:
        """The VAT rates this producer's products may carry."""
        return (0,) if self.vat_status == VatStatus.SMALL_BUSINESS else (7, 19)

    def __repr__(self) -> str:
        return f"<Producer {self.slug}>"


class StaffInvitation(db.Model):
    """An owner's invitation of a staff member by e-mail; the link carries a signed token of
    its id, and accepting it once before `expires_at` makes the invited account staff."""

    __tablename__ = "staff_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"), index=True)
    # The invited account: an existing one, or a new one that stays inactive until accepted.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The invitation made the account: accepting it sets its name and password and opens it.
    new_account: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    producer: Mapped[Producer] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producers.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    # The producer's own article number (its till's or spreadsheet's), unique per producer.
    article_number: Mapped[str | None] = mapped_column(String(40))
    # The name in lower case, kept by the database: PostgreSQL's name search compares it with
    # LIKE, which costs a third of ILIKE on the name (catalog/search.py). Not loaded by default.
    name_search: Mapped[str | None] = mapped_column(
        String(200), Computed("lower(name)", persisted=True), deferred=True,
    )
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[Unit] = mapped_column(str_enum(Unit, "unit", 10))
    # Weight of one unit in grams where it applies (a 750 g loaf), for the price per kg.
    unit_weight_g: Mapped[int | None]
    # Content of one unit in millilitres where it applies (a 0.75 l bottle), for the price per litre.
    unit_volume_ml: Mapped[int | None]
    price_cents: Mapped[int]
    vat_rate: Mapped[int]
    temperature: Mapped[Temperature] = mapped_column(
        str_enum(Temperature, "temperature", 10), default=Temperature.AMBIENT
    )
    crate_units: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal("0.1"))
    # None means made to order: no stock is kept or taken.
    stock: Mapped[int | None]
    is_organic: Mapped[bool] = mapped_column(default=False)
    # Paused products (False) stay in the portal; archived ones are inactive for good.
    is_active: Mapped[bool] = mapped_column(default=True)
    # Archived: gone from the shop, the API and the portal's list; past order lines keep it.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The least a line may order, and the steps above it (6 eggs, then 6 more).
    min_quantity: Mapped[int] = mapped_column(default=1)
    quantity_step: Mapped[int] = mapped_column(default=1)
    # Sold by weight "about" the unit's weight (ca. 500 g): the price follows the real weight,
    # which may lie this many per cent above or below it. None: a fixed price per unit.
    weight_tolerance_pct: Mapped[int | None]
    # The random name of the stored photo (catalog/photos.py), None without one.
    photo_key: Mapped[str | None] = mapped_column(String(40))
    # ISO weekdays the product can be delivered on, as a bit set (Monday = bit 0); 127 = every day.
    available_weekday_mask: Mapped[int] = mapped_column(default=127)
    season_start: Mapped[date | None]
    season_end: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    producer: Mapped[Producer] = relationship(back_populates="products")
    category: Mapped[Category] = relationship()

    __table_args__ = (
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_nonnegative"),
        CheckConstraint("price_cents >= 0", name="price_nonnegative"),
        CheckConstraint("vat_rate IN (0, 7, 19)", name="vat_rate_known"),
        CheckConstraint("crate_units > 0", name="crate_units_positive"),
        CheckConstraint("unit_weight_g IS NULL OR unit_weight_g > 0", name="unit_weight_positive"),
        CheckConstraint("unit_volume_ml IS NULL OR unit_volume_ml > 0", name="unit_volume_positive"),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("quantity_step >= 1", name="quantity_step_positive"),
        CheckConstraint(
            "weight_tolerance_pct IS NULL OR weight_tolerance_pct BETWEEN 1 AND 50",
            name="weight_tolerance_range",
        ),
        CheckConstraint("archived_at IS NULL OR NOT is_active", name="archived_inactive"),
        UniqueConstraint("producer_id", "article_number"),
        CheckConstraint("available_weekday_mask BETWEEN 1 AND 127", name="weekday_mask_range"),
        CheckConstraint(
            "(season_start IS NULL) = (season_end IS NULL)", name="season_paired"
        ),
        # A producer's active products in name order: the catalogue's pages and searches (on
        # PostgreSQL with the lower-case name alongside, so a search filters in the index).
        Index(
            "ix_products_producer_active_name", "producer_id", "is_active", "name",
            postgresql_include=["name_search"],
        ),
        Index("ix_products_category_active", "category_id", "is_active"),
        Index("ix_products_active_name", "is_active", "name"),
        # PostgreSQL: trigram index for LIKE '%…%' name search (SQLite: see catalog/search.py).
        Index(
            "ix_products_name_trgm", "name_search", postgresql_using="gin",
            postgresql_ops={"name_search": "gin_trgm_ops"}, info={"only_dialect": "postgresql"},
        ).ddl_if(dialect="postgresql"),
    )

    @property
    def is_made_to_order(self) -> bool:
        return self.stock is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def nominal_weight_g(self) -> int | None:
        """The weight of one unit in grams, where it has one (500 g, or a 750 g loaf)."""
        return UNIT_GRAMS.get(self.unit, self.unit_weight_g)

    @property
    def is_variable_weight(self) -> bool:
        return self.weight_tolerance_pct is not None

    def price_per_kg_cents(self) -> int | None:
        grams = self.nominal_weight_g
        if not grams:
            return None
        return round(self.price_cents * 1000 / grams)

    def base_price(self) -> tuple[int, str] | None:
        """The price per kg or per litre that German price labelling (PAngV) asks for, as
        (cents, "kg" | "l"), computed from unit and price; None where it does not apply."""
        millilitres = UNIT_MILLILITRES.get(self.unit, self.unit_volume_ml)
        if millilitres:
            return round(self.price_cents * 1000 / millilitres), "l"
        per_kg = self.price_per_kg_cents()
        return (per_kg, "kg") if per_kg is not None else None

    def is_in_season(self, day: date) -> bool:
        return is_in_season(self.season_start, self.season_end, day)

    def is_available_on(self, day: date) -> bool:
        return is_available_on(self, day)

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name}>"


def is_available_on(product, day: date) -> bool:
    """Whether a product (a Product or a record with its fields) can be ordered for `day`."""
    return (
        product.is_active
        and bool(product.available_weekday_mask & (1 << (day.isoweekday() - 1)))
        and is_in_season(product.season_start, product.season_end, day)
    )


def is_in_season(season_start: date | None, season_end: date | None, day: date) -> bool:
    """Whether `day` lies in a season; seasons repeat yearly, also across new year."""
    if season_start is None or season_end is None:
        return True
    key = (day.month, day.day)
    start = (season_start.month, season_start.day)
    end = (season_end.month, season_end.day)
    return start <= key <= end if start <= end else key >= start or key <= end


search.install_ddl_events(Product.__table__)


class CatalogVersion(db.Model):
    """One row whose version goes up in the transaction of every change the catalogue shows
    (stock, price, availability, producer); the page cache keys its entries by it
    (`catalog/versions.py`)."""

    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


# `db.create_all()` (tests) gets the row the migration inserts.
event.listen(
    CatalogVersion.__table__, "after_create",
    DDL("INSERT INTO catalog_versions (id, version) VALUES (1, 0)"),
)


class UnansweredSearch(db.Model):
    """A catalogue search that found no product: the term as normalised, the sub-region it was
    asked from (None when unknown) and when; nothing about the person who asked
    (`catalog/unanswered.py` records them, the coordinator's dashboard counts them)."""

    __tablename__ = "unanswered_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100))
    sub_region_id: Mapped[int | None] = mapped_column(ForeignKey("sub_regions.id", ondelete="SET NULL"))
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The dashboard reads one sub-region's weeks; the daily clean-up deletes by age.
        Index("ix_unanswered_searches_sub_region_searched_at", "sub_region_id", "searched_at"),
        Index("ix_unanswered_searches_searched_at", "searched_at"),
        CheckConstraint("term <> ''", name="term_not_empty"),
    )
