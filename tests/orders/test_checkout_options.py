"""What the checkout offers: delivery days, fulfilment options and basket prices."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.models import Fulfilment
from tests import factories as f
from tests.orders.helpers import AFTER_MONDAY_CUTOFF, FRIDAY, MONDAY_CUTOFF, TUESDAY, make_world


@pytest.fixture
def world(db):
    return make_world()


def test_delivery_days_are_the_schedules_days_whose_cutoff_lies_ahead(world, now):
    days = checkout.list_delivery_days_for(world.resident, now)
    assert [d.date for d in days[:2]] == [TUESDAY, FRIDAY]
    assert days[0].cutoff_at == MONDAY_CUTOFF
    assert len(days) == 8 and days == sorted(days, key=lambda d: d.date)
    assert checkout.list_delivery_days_for(world.resident, AFTER_MONDAY_CUTOFF)[0].date == FRIDAY


def test_delivery_days_skip_public_holidays(world):
    days = checkout.list_delivery_days_for(world.resident, datetime(2026, 3, 30, 9, tzinfo=UTC))
    assert datetime(2026, 4, 3).date() not in [d.date for d in days]  # Good Friday


def test_delivery_days_need_a_home(world, now):
    with pytest.raises(checkout.NoHomeAddress):
        checkout.list_delivery_days_for(f.make_user(), now)


def _options(world, items, now):
    context = checkout.load_checkout(world.resident.id, [product_id for product_id, _ in items])
    days = checkout.list_open_delivery_days(context.sub_region, now)
    return checkout.list_fulfilment_options(context, checkout.price_basket(items), days)


def test_fulfilment_options_list_the_sub_regions_places_and_say_why_one_is_refused(world, now):
    options = _options(world, [(world.milk.id, 1)], now)
    places = {o.pickup_place.id: o for o in options if o.pickup_place is not None}
    assert world.other_station.id not in places
    assert set(places) == {
        world.station.id, world.ambient_station.id, world.sales_point.id, world.chilled_sales_point.id,
    }
    assert places[world.station.id].allowed and places[world.station.id].keeps_cold
    assert places[world.chilled_sales_point.id].allowed
    refused = places[world.ambient_station.id]
    assert not refused.allowed and refused.reason_code == "cold_chain_broken" and refused.reason
    assert not places[world.sales_point.id].allowed
    distances = [o.distance_km for o in options if o.pickup_place is not None]
    assert distances == sorted(distances) and all(d is not None for d in distances)
    door = [o for o in options if o.kind == Fulfilment.DOOR]
    assert len(door) == 1 and not door[0].allowed and door[0].reason_code == "below_door_minimum"
    assert door[0].fee_cents == 390


def test_price_basket_sums_lines_and_vat_per_rate_and_ignores_nothing_but_price(world):
    basket = checkout.price_basket([(world.bread.id, 1), (world.bread.id, 1), (world.wine.id, 1)])
    assert [(line.product.id, line.quantity, line.total_cents) for line in basket.lines] == [
        (world.bread.id, 2, 900), (world.wine.id, 1, 1290),
    ]
    assert basket.items_total_cents == basket.total_cents == 2190
    assert {v.rate: v.vat_cents for v in basket.vat} == {7: 59, 19: 206}
    with_fee = checkout.price_basket([(world.wine.id, 2)], delivery_fee_cents=390)
    assert with_fee.total_cents == 2970 and with_fee.vat[0].gross_cents == 2970


def test_a_sales_point_closed_on_an_offered_day_says_which_days(world, now):
    friday_only = f.make_sales_point(f.make_place(world.station.place.municipality),
                                     hours=((5, "08:00", "12:00"),))
    db.session.commit()
    options = {o.pickup_place.id: o for o in _options(world, [(world.bread.id, 1)], now) if o.pickup_place}
    closed = options[friday_only.id].closed_days
    assert TUESDAY in closed and FRIDAY not in closed
    assert options[friday_only.id].allowed  # the basket fits; the day decides
    assert options[world.sales_point.id].closed_days == frozenset()  # open Tuesdays and Fridays
    assert options[world.station.id].closed_days == frozenset()  # stations never close


def test_frozen_goods_are_offered_only_where_a_freezer_or_frozen_compartment_is(world, now):
    freezer = f.make_sales_point(f.make_place(world.station.place.municipality), has_freezer=True)
    db.session.commit()
    options = {o.pickup_place.id: o for o in _options(world, [(world.ice.id, 1)], now) if o.pickup_place}
    assert options[freezer.id].allowed
    for refused in (world.chilled_sales_point, world.station, world.sales_point):
        assert not options[refused.id].allowed
        assert options[refused.id].reason_code == "cold_chain_broken"
