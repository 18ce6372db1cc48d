"""Changes to a producer's catalogue: create, edit, pause, archive, stock sync.

One rule set (`check_product`) for the portal's form, the spreadsheet import and the producer
API. Services take plain values and `now`, flush, and leave the commit to the caller.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from marketplace.catalog import photos
from marketplace.catalog.models import UNIT_GRAMS, Category, Producer, Product, Temperature, Unit
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.errors import N_, Conflict, InvalidFields, InvalidInput
from marketplace.core.money import parse_euros
from marketplace.extensions import db

MAX_PRICE_CENTS = 1_000_000
MAX_STOCK = 1_000_000
MAX_QUANTITY = 1_000
MAX_CONTENT = 100_000  # grams or millilitres in one unit
MAX_CRATE_UNITS = Decimal("99.999")
MAX_WEIGHT_TOLERANCE_PCT = 50
ALL_WEEKDAYS = 127
MAX_SEASON_DAYS = 365


class InvalidProduct(InvalidFields):
    """A product's values break a rule; `errors` maps each wrong field to its message (a msgid)."""

    code = "invalid_input"
    message = N_("Die Angaben zum Produkt sind ungültig.")


class ProductArchived(Conflict):
    code = "product_archived"
    message = N_("Das Produkt ist archiviert und kann nicht mehr geändert werden.")


class InvalidStockItems(InvalidInput):
    """A stock sync names items that do not exist or carry a wrong stock; nothing was changed."""

    code = "invalid_items"
    message = N_("Einige Positionen sind ungültig; kein Bestand wurde geändert.")

    def __init__(self, items: list[dict]) -> None:
        self.items = items
        super().__init__()

    def extra(self) -> dict:
        return {"items": self.items}


@dataclass(frozen=True)
class ProductValues:
    """Everything a producer sets on a product, as plain values (money in cents)."""

    name: str
    category_id: int | None
    unit: str
    price_cents: int
    vat_rate: int
    temperature: str = Temperature.AMBIENT.value
    article_number: str | None = None
    description: str = ""
    crate_units: Decimal = Decimal("0.1")
    stock: int | None = None
    is_active: bool = True
    is_organic: bool = False
    unit_weight_g: int | None = None
    unit_volume_ml: int | None = None
    min_quantity: int = 1
    quantity_step: int = 1
    weekday_mask: int = ALL_WEEKDAYS
    season_start: date | None = None
    season_end: date | None = None
    weight_tolerance_pct: int | None = None

    def replace(self, **changes) -> ProductValues:
        return dataclasses.replace(self, **changes)


def values_of(product: Product) -> ProductValues:
    return ProductValues(
        name=product.name, category_id=product.category_id, unit=product.unit.value,
        price_cents=product.price_cents, vat_rate=product.vat_rate,
        temperature=product.temperature.value, article_number=product.article_number,
        description=product.description or "", crate_units=Decimal(product.crate_units),
        stock=product.stock, is_active=product.is_active, is_organic=product.is_organic,
        unit_weight_g=product.unit_weight_g, unit_volume_ml=product.unit_volume_ml,
        min_quantity=product.min_quantity, quantity_step=product.quantity_step,
        weekday_mask=product.available_weekday_mask, season_start=product.season_start,
        season_end=product.season_end, weight_tolerance_pct=product.weight_tolerance_pct,
    )


# --- Text as people type it (the form and the spreadsheet): German decimal comma -----------

def parse_price_text(text: str) -> int:
    """'2,50' → 250 cents; ValueError with a msgid for anything that is not a price in cents."""
    text = (text or "").strip()
    if not text:
        raise ValueError(N_("Bitte einen Preis angeben, z. B. 2,50."))
    try:
        return parse_euros(text)
    except ValueError:
        pass
    try:
        Decimal(text.replace(",", ".").replace("€", "").strip())
    except InvalidOperation:
        raise ValueError(N_("Bitte einen Preis wie 2,50 eingeben.")) from None
    raise ValueError(N_("Ein Preis hat höchstens zwei Nachkommastellen."))


def parse_decimal_text(text: str) -> Decimal:
    """'0,5' → Decimal('0.5'); ValueError for anything else."""
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(N_("Bitte eine Zahl wie 0,5 eingeben.")) from None
    if not value.is_finite():
        raise ValueError(N_("Bitte eine Zahl wie 0,5 eingeben."))
    return value


def format_decimal_text(value: Decimal) -> str:
    """Decimal('0.500') → '0,5' (the spreadsheet's way)."""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


def format_price_text(cents: int) -> str:
    """250 → '2,50'."""
    return f"{cents // 100},{cents % 100:02d}"


# --- The rules ----------------------------------------------------------------------------

def _int_in(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def check_product(producer: Producer, values: ProductValues) -> dict[str, str]:
    """The wrong fields of `values` for `producer` (field → msgid); empty when all is well.

    Reads nothing from the database: the category's existence and the article number's
    uniqueness are checked by the callers, which know them (one query, not one per row)."""
    errors: dict[str, str] = {}
    name = values.name.strip() if isinstance(values.name, str) else ""
    if not 0 < len(name) <= 200:
        errors["name"] = N_("Bitte einen Namen mit höchstens 200 Zeichen angeben.")
    article = values.article_number
    if article is not None and (not isinstance(article, str) or not 0 < len(article.strip()) <= 40):
        errors["article_number"] = N_("Die Artikelnummer hat 1 bis 40 Zeichen.")
    if not isinstance(values.description, str) or len(values.description) > 5000:
        errors["description"] = N_("Die Beschreibung hat höchstens 5000 Zeichen.")
    if not isinstance(values.unit, str) or values.unit not in {u.value for u in Unit}:
        errors["unit"] = N_("Diese Einheit gibt es nicht.")
    if not isinstance(values.temperature, str) or values.temperature not in {t.value for t in Temperature}:
        errors["temperature"] = N_("Diese Lagerung gibt es nicht.")
    if type(values.price_cents) is not int:
        errors["price_cents"] = N_("Bitte einen Preis wie 2,50 eingeben.")
    elif values.price_cents < 0:
        errors["price_cents"] = N_("Der Preis darf nicht negativ sein.")
    elif values.price_cents > MAX_PRICE_CENTS:
        errors["price_cents"] = N_("Der Preis ist zu hoch.")
    if type(values.vat_rate) is not int or values.vat_rate not in producer.vat_rates:
        errors["vat_rate"] = (
            N_("Als Kleinunternehmer nach § 19 UStG berechnen Sie keine MwSt. (0 %).")
            if producer.vat_rates == (0,) else N_("Der MwSt.-Satz ist 7 % oder 19 %.")
        )
    crate = values.crate_units
    if not isinstance(crate, Decimal) or not crate.is_finite() or not 0 < crate <= MAX_CRATE_UNITS \
            or crate != crate.quantize(Decimal("0.001")):
        errors["crate_units"] = N_("Die Kistengröße ist eine Zahl über 0 mit höchstens drei Nachkommastellen, z. B. 0,5.")
    if values.stock is not None and not _int_in(values.stock, 0, MAX_STOCK):
        errors["stock"] = N_("Der Bestand ist eine ganze Zahl ab 0 (leer: auf Bestellung).")
    for field in ("unit_weight_g", "unit_volume_ml"):
        value = getattr(values, field)
        if value is not None and not _int_in(value, 1, MAX_CONTENT):
            errors[field] = N_("Bitte eine ganze Zahl über 0 angeben.")
    if not _int_in(values.min_quantity, 1, MAX_QUANTITY):
        errors["min_quantity"] = N_("Die Mindestmenge ist eine ganze Zahl ab 1.")
    if not _int_in(values.quantity_step, 1, MAX_QUANTITY):
        errors["quantity_step"] = N_("Die Schrittweite ist eine ganze Zahl ab 1.")
    if not _int_in(values.weekday_mask, 1, ALL_WEEKDAYS):
        errors["weekday_mask"] = N_("Bitte mindestens einen Liefertag wählen.")
    if (values.season_start is None) != (values.season_end is None):
        errors["season_end"] = N_("Eine Saison hat einen Anfang und ein Ende.")
    elif values.season_start is not None and not (
        isinstance(values.season_start, date) and isinstance(values.season_end, date)
        and 0 <= (values.season_end - values.season_start).days <= MAX_SEASON_DAYS
    ):
        # A season over new year ends in the next year (15.11.2026 to 10.01.2027); an end
        # before the start is a slip, not a season of almost a whole year.
        errors["season_end"] = N_("Das Ende der Saison liegt nach ihrem Anfang und höchstens ein Jahr später.")
    tolerance = values.weight_tolerance_pct
    if tolerance is not None:
        if not _int_in(tolerance, 1, MAX_WEIGHT_TOLERANCE_PCT):
            errors["weight_tolerance_pct"] = N_("Die Abweichung ist eine ganze Zahl von 1 bis 50 %.")
        elif UNIT_GRAMS.get(values.unit, values.unit_weight_g) is None:
            errors["weight_tolerance_pct"] = N_(
                "Ein Produkt nach Gewicht braucht ein Gewicht je Einheit (z. B. ca. 500 g).")
    if type(values.is_active) is not bool or type(values.is_organic) is not bool:
        errors["is_active"] = N_("Bitte ja oder nein angeben.")
    return errors


def _article_taken(producer_id: int, article_number: str, product_id: int | None) -> bool:
    query = select(Product.id).where(
        Product.producer_id == producer_id, Product.article_number == article_number
    )
    if product_id is not None:
        query = query.where(Product.id != product_id)
    return db.session.scalar(query.limit(1)) is not None


def _checked(producer: Producer, values: ProductValues, product_id: int | None) -> ProductValues:
    values = values.replace(
        name=values.name.strip() if isinstance(values.name, str) else values.name,
        article_number=(values.article_number.strip() or None)
        if isinstance(values.article_number, str) else values.article_number,
    )
    errors = check_product(producer, values)
    if "category_id" not in errors and (
        values.category_id is None or db.session.get(Category, values.category_id) is None
    ):
        errors["category_id"] = N_("Diese Kategorie gibt es nicht.")
    if values.article_number and "article_number" not in errors and _article_taken(
        producer.id, values.article_number, product_id
    ):
        errors["article_number"] = N_("Diese Artikelnummer hat schon ein anderes Ihrer Produkte.")
    if errors:
        raise InvalidProduct(errors)
    return values


# Fields that the model names as the values do; the others are set by hand below.
_SAME_NAMED = (
    "name", "category_id", "price_cents", "vat_rate", "article_number", "description",
    "crate_units", "stock", "is_active", "is_organic", "unit_weight_g", "unit_volume_ml",
    "min_quantity", "quantity_step", "season_start", "season_end", "weight_tolerance_pct",
)


def apply_values(product: Product, values: ProductValues) -> None:
    """Set `values` (already checked) on `product`."""
    for field in _SAME_NAMED:
        setattr(product, field, getattr(values, field))
    product.unit = Unit(values.unit)
    product.temperature = Temperature(values.temperature)
    product.available_weekday_mask = values.weekday_mask


def create_product(*, producer: Producer, values: ProductValues, now: datetime) -> Product:
    """A new product of `producer`; raises InvalidProduct with every wrong field."""
    values = _checked(producer, values, None)
    product = Product(producer=producer, created_at=now)
    apply_values(product, values)
    db.session.add(product)
    db.session.flush()
    bump_catalog_version()
    return product


def update_product(*, product: Product, values: ProductValues, now: datetime) -> Product:
    """Change a product; an archived one refuses (ProductArchived)."""
    if product.is_archived:
        raise ProductArchived()
    values = _checked(product.producer, values, product.id)
    apply_values(product, values)
    db.session.flush()
    bump_catalog_version()
    return product


# What the older `PATCH /api/v1/products/{id}` may change.
PRODUCT_CHANGES = frozenset({"stock", "price_cents", "is_active"})


def change_product(product: Product, changes: Mapping[str, object], now: datetime | None = None) -> Product:
    """A producer's change of stock, price or availability: `update_product` with those only."""
    unknown = set(changes) - PRODUCT_CHANGES
    if unknown:
        raise ValueError(f"not a product change: {sorted(unknown)}")
    return update_product(product=product, values=values_of(product).replace(**changes), now=now)


def set_product_active(*, product: Product, active: bool, now: datetime) -> Product:
    """Pause (False) or resume (True) a product."""
    return update_product(product=product, values=values_of(product).replace(is_active=active), now=now)


def archive_product(*, product: Product, now: datetime) -> Product:
    """Archive for good: gone from shop, API and portal list; past order lines keep it."""
    if not product.is_archived:
        product.is_active = False
        product.archived_at = now
        db.session.flush()
        bump_catalog_version()
    return product


def set_product_photo(*, product: Product, data: bytes, upload_dir: str, now: datetime) -> str | None:
    """Check, store and attach a photo (catalog/photos.py); the replaced photo's key, whose
    files the caller deletes after the commit. Refusals (InvalidPhoto, PhotoTooLarge) store
    nothing."""
    if product.is_archived:
        raise ProductArchived()
    key = photos.store_photo(data, upload_dir)
    replaced, product.photo_key = product.photo_key, key
    db.session.flush()
    bump_catalog_version()
    return replaced


def sync_stock(*, producer: Producer, items: list, now: datetime) -> list[Product]:
    """Set the stock of many products by article number, all or nothing.

    `items` are {"article_number": str, "stock": int | None} mappings as a till sends them;
    any wrong item raises InvalidStockItems naming every wrong one, and nothing changes."""
    wanted: dict[str, int | None] = {}
    problems: list[dict] = []
    for raw in items:
        article = raw.get("article_number") if isinstance(raw, dict) else None
        stock = raw.get("stock", ...) if isinstance(raw, dict) else ...
        if not isinstance(article, str) or not article.strip():
            problems.append({"article_number": article if isinstance(article, str) else None,
                             "error": "missing_article_number"})
            continue
        if article in wanted:
            problems.append({"article_number": article, "error": "duplicate_article_number"})
        elif stock is ... or (stock is not None and not _int_in(stock, 0, MAX_STOCK)):
            problems.append({"article_number": article, "error": "invalid_stock"})
        wanted.setdefault(article, None if stock is ... else stock)
    products = {
        p.article_number: p for p in db.session.scalars(
            select(Product).where(
                Product.producer_id == producer.id, Product.article_number.in_(list(wanted)),
                Product.archived_at.is_(None),
            )
        )
    } if wanted else {}
    known = {p["article_number"] for p in problems}
    problems += [
        {"article_number": a, "error": "unknown_article_number"}
        for a in wanted if a not in products and a not in known
    ]
    if not items:
        problems.append({"article_number": None, "error": "no_items"})
    if problems:
        raise InvalidStockItems(problems)
    for article, stock in wanted.items():
        products[article].stock = stock
    db.session.flush()
    bump_catalog_version()
    return list(products.values())
