"""Invariants that live in the database: stock, prices, VAT, places, memberships."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import Membership, Role
from marketplace.catalog.models import Product
from marketplace.regions.models import Place
from tests import factories as f


def _expect_integrity_error(db, statement_or_obj):
    with pytest.raises(IntegrityError):
        if hasattr(statement_or_obj, "compile"):
            db.session.execute(statement_or_obj)
        else:
            db.session.add(statement_or_obj)
        db.session.flush()
    db.session.rollback()


def test_stock_can_not_go_negative(db):
    product = f.make_product(stock=3)
    db.session.commit()
    _expect_integrity_error(db, update(Product).where(Product.id == product.id).values(stock=Product.stock - 4))
    assert db.session.get(Product, product.id).stock == 3


def test_made_to_order_products_keep_no_stock(db):
    product = f.make_product(stock=None)
    assert product.is_made_to_order


def test_price_can_not_be_negative(db):
    _expect_integrity_error(db, Product(
        producer=f.make_producer(), category=f.make_category(), name="x", unit="piece",
        price_cents=-1, vat_rate=7, crate_units=1, stock=1,
    ))


@pytest.mark.parametrize("rate", [-7, 5, 16, 20])
def test_vat_rate_must_be_0_7_or_19(db, rate):
    # 0: a small business under §19 UStG charges no VAT.
    producer, category = f.make_producer(), f.make_category()
    db.session.commit()
    _expect_integrity_error(db, Product(
        producer_id=producer.id, category_id=category.id, name="x", unit="piece",
        price_cents=100, vat_rate=rate, crate_units=1, stock=1,
    ))


@pytest.mark.parametrize("rate", [7, 19])
def test_vat_rates_7_and_19_are_accepted(db, rate):
    assert f.make_product(vat_rate=rate).id


def test_place_needs_a_municipality_and_so_a_sub_region(db):
    _expect_integrity_error(db, Place(name="Nirgendwo", lat=50.0, lon=7.0, kind="village"))


def test_place_belongs_to_exactly_one_sub_region(db):
    place = f.make_place()
    other = f.make_sub_region()
    assert place.sub_region is place.municipality.sub_region
    assert place.sub_region.id != other.id
    # Moving the municipality moves every place with it: a place never sits in two.
    place.municipality.sub_region = other
    db.session.flush()
    assert place.sub_region.id == other.id


def test_place_coordinates_must_be_on_earth(db):
    _expect_integrity_error(db, Place(municipality=f.make_municipality(), name="X", lat=91, lon=7))


def test_membership_scope_must_match_role(db):
    user = f.make_user(role=None)
    producer = f.make_producer()
    db.session.commit()
    # A coordinator scoped to a producer instead of a sub-region is refused by the database.
    _expect_integrity_error(db, Membership(user_id=user.id, role=Role.COORDINATOR, producer_id=producer.id))
    _expect_integrity_error(db, Membership(user_id=user.id, role=Role.PRODUCER))


def test_user_email_is_stored_lowercase(db):
    user = f.make_user(role=None)
    db.session.commit()
    user.email = "Mixed@Example.org"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_product_availability_respects_weekdays_and_season(db):
    product = f.make_product(available_weekday_mask=0b0010010,  # Tuesday and Friday
                             season_start=date(2000, 11, 1), season_end=date(2000, 2, 28))
    assert product.is_available_on(date(2026, 12, 1))  # a Tuesday in season
    assert not product.is_available_on(date(2026, 12, 2))  # a Wednesday
    assert not product.is_available_on(date(2026, 6, 2))  # a Tuesday out of season


def test_price_per_kg_for_weighted_units(db):
    assert f.make_product(unit="500g", price_cents=300).price_per_kg_cents() == 600
    assert f.make_product(unit="piece", unit_weight_g=750, price_cents=450).price_per_kg_cents() == 600
    assert f.make_product(unit="piece", unit_weight_g=None).price_per_kg_cents() is None
