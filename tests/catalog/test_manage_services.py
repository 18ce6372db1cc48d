"""Catalogue services: one rule set for the portal, the spreadsheet and the API."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.catalog import services
from marketplace.catalog.models import Product, VatStatus
from marketplace.orders.models import OrderLine
from tests import factories as f
from tests.conftest import NOW


def _values(category, **kw) -> services.ProductValues:
    fields = {"name": "Eier", "category_id": category.id, "unit": "piece", "price_cents": 250, "vat_rate": 7}
    return services.ProductValues(**{**fields, **kw})


@pytest.mark.parametrize(("text", "cents"), [("2,50", 250), ("2", 200), ("0,99", 99), ("1.234,50", 123450)])
def test_prices_are_typed_with_a_decimal_comma_and_kept_in_cents(text, cents):
    assert services.parse_price_text(text) == cents


@pytest.mark.parametrize(
    ("text", "message"),
    [("2,505", "höchstens zwei Nachkommastellen"), ("zwei", "wie 2,50"), ("", "Preis angeben")],
)
def test_a_price_that_is_no_amount_in_cents_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        services.parse_price_text(text)


def test_create_product_stores_every_field(db):
    producer, category = f.make_producer(), f.make_category()
    product = services.create_product(producer=producer, values=_values(
        category, article_number=" E-6 ", description="Freiland", crate_units=Decimal("0.5"), stock=12,
        min_quantity=6, quantity_step=6, weekday_mask=0b0010010, unit_weight_g=None,
    ), now=NOW)
    assert (product.article_number, product.min_quantity, product.quantity_step) == ("E-6", 6, 6)
    assert product.available_weekday_mask == 0b0010010 and product.created_at == NOW
    assert product.is_active and not product.is_archived


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"vat_rate": 16}, "vat_rate"), ({"vat_rate": 0}, "vat_rate"), ({"price_cents": -1}, "price_cents"),
     ({"name": " "}, "name"), ({"stock": -3}, "stock"), ({"crate_units": Decimal("0")}, "crate_units"),
     ({"crate_units": Decimal("0.0005")}, "crate_units"), ({"min_quantity": 0}, "min_quantity"),
     ({"quantity_step": 0}, "quantity_step"), ({"weekday_mask": 0}, "weekday_mask"),
     ({"unit": "sack"}, "unit"), ({"temperature": "warm"}, "temperature"), ({"category_id": 999_999}, "category_id"),
     ({"season_start": date(2026, 6, 1)}, "season_end"),
     ({"season_start": date(2026, 6, 1), "season_end": date(2026, 5, 31)}, "season_end"),
     ({"season_start": date(2026, 6, 1), "season_end": date(2027, 6, 2)}, "season_end")],
)
def test_create_product_refuses_wrong_values_and_writes_nothing(db, changes, field):
    producer, category = f.make_producer(), f.make_category()
    with pytest.raises(services.InvalidProduct) as refused:
        services.create_product(producer=producer, values=_values(category, **changes), now=NOW)
    assert field in refused.value.errors
    assert db.session.scalars(select(Product)).all() == []


def test_a_small_business_sells_without_vat_and_only_so(db):
    producer = f.make_producer(vat_status=VatStatus.SMALL_BUSINESS)
    category = f.make_category()
    product = services.create_product(producer=producer, values=_values(category, vat_rate=0), now=NOW)
    assert product.vat_rate == 0
    with pytest.raises(services.InvalidProduct) as refused:
        services.create_product(producer=producer, values=_values(category, vat_rate=7), now=NOW)
    assert "§ 19" in refused.value.errors["vat_rate"]


def test_article_numbers_are_unique_per_producer_only(db):
    mine, other, category = f.make_producer(), f.make_producer(), f.make_category()
    services.create_product(producer=mine, values=_values(category, article_number="A1"), now=NOW)
    services.create_product(producer=other, values=_values(category, article_number="A1"), now=NOW)
    with pytest.raises(services.InvalidProduct) as refused:
        services.create_product(producer=mine, values=_values(category, article_number="A1"), now=NOW)
    assert "article_number" in refused.value.errors


def test_update_keeps_its_own_article_number_and_archived_products_refuse_changes(db):
    product = f.make_product(article_number="B2")
    values = services.values_of(product).replace(price_cents=300)
    services.update_product(product=product, values=values, now=NOW)
    assert product.price_cents == 300
    services.archive_product(product=product, now=NOW)
    with pytest.raises(services.ProductArchived):
        services.update_product(product=product, values=values.replace(price_cents=400), now=NOW)
    assert product.price_cents == 300


def test_archived_products_leave_the_shop_and_keep_past_order_lines(db):
    home = f.make_place()
    resident = f.make_user(home=home)
    product = f.make_product()
    order = f.make_order(resident, [(product, 2)], place=f.make_station(home))
    services.archive_product(product=product, now=NOW)
    db.session.commit()
    assert not product.is_active and product.archived_at == NOW
    line = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert line.product_id == product.id and line.total_cents == 2 * product.price_cents
    from marketplace.catalog.queries import get_shop_product, list_products_of_producer

    assert get_shop_product(product.id) is None
    assert list_products_of_producer(product.producer_id) == []
    assert list_products_of_producer(product.producer_id, archived=True) == [product]


def test_pause_and_resume(db):
    product = f.make_product()
    services.set_product_active(product=product, active=False, now=NOW)
    assert not product.is_active and not product.is_archived
    services.set_product_active(product=product, active=True, now=NOW)
    assert product.is_active


def test_stock_sync_is_all_or_nothing(db):
    producer = f.make_producer()
    a = f.make_product(producer, article_number="A", stock=1)
    b = f.make_product(producer, article_number="B", stock=1)
    f.make_product(article_number="C", stock=1)  # another producer's
    with pytest.raises(services.InvalidStockItems) as refused:
        services.sync_stock(producer=producer, items=[
            {"article_number": "A", "stock": 5}, {"article_number": "B", "stock": -3},
            {"article_number": "C", "stock": 2}, {"article_number": "A", "stock": 6},
        ], now=NOW)
    assert refused.value.items == [
        {"article_number": "B", "error": "invalid_stock"},
        {"article_number": "A", "error": "duplicate_article_number"},
        {"article_number": "C", "error": "unknown_article_number"},
    ]
    assert (a.stock, b.stock) == (1, 1)
    services.sync_stock(producer=producer, items=[
        {"article_number": "A", "stock": 5}, {"article_number": "B", "stock": None},
    ], now=NOW)
    assert (a.stock, b.stock) == (5, None)


@pytest.mark.parametrize(
    ("unit", "weight", "volume", "price", "expected"),
    [("kg", None, None, 400, (400, "kg")), ("500g", None, None, 250, (500, "kg")),
     ("100g", None, None, 199, (1990, "kg")), ("piece", 750, None, 390, (520, "kg")),
     ("litre", None, None, 120, (120, "l")), ("bottle", None, 750, 900, (1200, "l")),
     ("bunch", None, None, 150, None)],
)
def test_the_base_price_is_computed_from_unit_and_price(db, unit, weight, volume, price, expected):
    product = f.make_product(unit=unit, unit_weight_g=weight, unit_volume_ml=volume, price_cents=price)
    assert product.base_price() == expected


def test_an_order_line_keeps_the_products_minimum_and_step(db):
    from marketplace.orders.checkout.errors import QuantityNotAllowed
    from marketplace.orders.checkout.rules import check_line_quantities

    eggs = f.make_product(name="Eier", min_quantity=6, quantity_step=6)
    products = {eggs.id: eggs}
    for quantity in (6, 12, 18):
        check_line_quantities({eggs.id: quantity}, products)
    for quantity in (1, 5, 7, 13):
        with pytest.raises(QuantityNotAllowed) as refused:
            check_line_quantities({eggs.id: quantity}, products)
        assert refused.value.params == {"product": "Eier", "minimum": 6, "step": 6}


def test_a_season_over_new_year_ends_in_the_next_year_and_repeats(db):
    producer, category = f.make_producer(), f.make_category()
    product = services.create_product(producer=producer, values=_values(
        category, season_start=date(2026, 11, 15), season_end=date(2027, 1, 10)), now=NOW)
    assert product.is_available_on(date(2026, 12, 24)) and product.is_available_on(date(2028, 1, 10))
    assert not product.is_available_on(date(2027, 1, 11))
