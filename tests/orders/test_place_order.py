"""place_order: what it takes, what it refuses, and that a refusal changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.models import Fulfilment, OrderLine, OrderStatus
from marketplace.orders.services import cancel_order, place_order
from tests import factories as f
from tests.orders.helpers import (
    AFTER_MONDAY_CUTOFF,
    FRIDAY,
    TUESDAY,
    WEDNESDAY,
    count_events,
    count_orders,
    make_world,
    stocks,
)


@pytest.fixture
def world(db):
    return make_world()


def _place(world, items, *, now, day=TUESDAY, fulfilment=None, **kw):
    return place_order(
        resident=kw.pop("resident", world.resident), items=items, delivery_date=day,
        fulfilment=fulfilment or world.station_choice(), payment_method=kw.pop("payment_method", "pay_on_pickup"),
        now=now, **kw,
    )


def test_place_order_snapshots_prices_splits_by_producer_and_takes_stock(world, now):
    order = _place(world, [(world.bread.id, 2), (world.wine.id, 1), (world.cake.id, 1)], now=now)
    db.session.commit()

    assert order.status == OrderStatus.PLACED
    assert order.number.startswith("LK-")
    assert order.delivery_date == TUESDAY and order.cutoff_at.hour == 17
    assert order.items_total_cents == 2 * 450 + 1290 + 1250 == order.total_cents
    assert {(line.product_name, line.quantity, line.unit_price_cents) for line in order.lines} == {
        ("Bauernbrot", 2, 450), ("Riesling", 1, 1290), ("Streuselkuchen", 1, 1250),
    }
    assert sorted(po.producer_id for po in order.producer_orders) == sorted(
        [world.producer_a.id, world.producer_b.id]
    )
    by_producer = {po.producer_id: po.items_total_cents for po in order.producer_orders}
    assert by_producer[world.producer_a.id] == 900 + 1250
    assert [e.kind for e in order.events] == ["placed"]
    assert stocks(world.bread, world.wine, world.cake) == {
        world.bread.id: 18, world.wine.id: 4, world.cake.id: None,
    }


def test_an_order_of_many_products_keeps_every_line_with_its_own_price_and_stock(world, now):
    count = 60
    goods = [f.make_product(world.producer_a, price_cents=100 + n, stock=5) for n in range(count)]
    db.session.commit()
    order = _place(world, [(p.id, 1 + n % 3) for n, p in enumerate(goods)], now=now)
    db.session.commit()

    assert sorted((line.product_id, line.quantity, line.unit_price_cents) for line in order.lines) == [
        (p.id, 1 + n % 3, 100 + n) for n, p in enumerate(goods)
    ]
    assert order.items_total_cents == sum((100 + n) * (1 + n % 3) for n in range(count))
    assert stocks(*goods) == {p.id: 5 - (1 + n % 3) for n, p in enumerate(goods)}


def test_a_later_price_change_does_not_touch_the_order(world, now):
    order = _place(world, [(world.bread.id, 1)], now=now)
    world.bread.price_cents = 999
    db.session.commit()
    db.session.expire_all()
    assert order.lines[0].unit_price_cents == 450 and order.total_cents == 450


def test_totals_show_vat_per_rate(world, now):
    order = _place(world, [(world.bread.id, 2), (world.wine.id, 1)], now=now)
    vat = {v.rate: (v.gross_cents, v.vat_cents) for v in checkout.vat_of_order(order)}
    assert vat == {7: (900, 59), 19: (1290, 206)}


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "abc", 10**12, True, None, 1000])
def test_place_order_refuses_a_bad_quantity_and_changes_nothing(world, now, quantity):
    before = stocks(world.bread)
    with pytest.raises(checkout.InvalidQuantity):
        _place(world, [(world.bread.id, quantity)], now=now)
    db.session.rollback()
    assert stocks(world.bread) == before and count_orders() == 0


def test_place_order_refuses_an_empty_basket(world, now):
    with pytest.raises(checkout.EmptyOrder):
        _place(world, [], now=now)


def test_place_order_refuses_an_unknown_product(world, now):
    with pytest.raises(checkout.UnknownProduct):
        _place(world, [(world.bread.id, 1), (999_999, 1)], now=now)
    db.session.rollback()
    assert stocks(world.bread) == {world.bread.id: 20} and count_orders() == 0


def test_place_order_refuses_an_inactive_product(world, now):
    world.wine.is_active = False
    db.session.commit()
    with pytest.raises(checkout.ProductUnavailable):
        _place(world, [(world.bread.id, 1), (world.wine.id, 1)], now=now)
    db.session.rollback()
    assert stocks(world.bread, world.wine) == {world.bread.id: 20, world.wine.id: 5}
    assert count_orders() == 0


def test_place_order_refuses_a_product_not_sold_on_that_weekday(world, now):
    world.bread.available_weekday_mask = 0b0010000  # Fridays only
    db.session.commit()
    with pytest.raises(checkout.ProductUnavailable):
        _place(world, [(world.bread.id, 1)], now=now, day=TUESDAY)
    assert _place(world, [(world.bread.id, 1)], now=now, day=FRIDAY).delivery_date == FRIDAY


def test_place_order_refuses_a_product_out_of_season(world, now):
    from datetime import date
    world.bread.season_start, world.bread.season_end = date(2026, 6, 1), date(2026, 9, 30)
    db.session.commit()
    with pytest.raises(checkout.ProductUnavailable):
        _place(world, [(world.bread.id, 1)], now=now)


def test_two_lines_of_one_product_are_summed_and_refused_when_the_sum_exceeds_stock(world, now):
    with pytest.raises(checkout.OutOfStock):
        _place(world, [(world.bread.id, 1), (world.wine.id, 3), (world.wine.id, 3)], now=now)
    db.session.rollback()
    assert stocks(world.bread, world.wine) == {world.bread.id: 20, world.wine.id: 5}
    assert count_orders() == 0


def test_out_of_stock_half_way_gives_back_what_was_taken_before_the_caller_rolls_back(world, now):
    # bread (lower id) is taken first, then wine runs out: bread goes back at once, and the
    # order written just before is taken out again.
    assert world.bread.id < world.wine.id
    with pytest.raises(checkout.OutOfStock):
        _place(world, [(world.bread.id, 5), (world.wine.id, 6)], now=now)
    db.session.expire_all()
    assert stocks(world.bread, world.wine) == {world.bread.id: 20, world.wine.id: 5}
    assert count_orders() == 0 and count_events() == 0
    db.session.commit()  # even a caller that commits after the refusal commits nothing
    assert stocks(world.bread, world.wine) == {world.bread.id: 20, world.wine.id: 5}
    assert count_orders() == 0 and count_events() == 0
    assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0


def test_the_last_units_can_be_ordered_and_then_none(world, now):
    _place(world, [(world.wine.id, 5)], now=now)
    db.session.commit()
    assert stocks(world.wine) == {world.wine.id: 0}
    with pytest.raises(checkout.OutOfStock):
        _place(world, [(world.wine.id, 1)], now=now)


def test_place_order_refuses_a_day_outside_the_schedule(world, now):
    with pytest.raises(checkout.NotADeliveryDay):
        _place(world, [(world.bread.id, 1)], now=now, day=WEDNESDAY)
    with pytest.raises(checkout.NotADeliveryDay):
        _place(world, [(world.bread.id, 1)], now=now, day=TUESDAY + timedelta(days=7 * 30))
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}


def test_place_order_refuses_a_day_past_its_cutoff(world):
    with pytest.raises(checkout.CutoffPassed):
        _place(world, [(world.bread.id, 1)], now=AFTER_MONDAY_CUTOFF, day=TUESDAY)
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}
    # One second earlier it is still fine; Friday stays open after Monday's cut-off.
    _place(world, [(world.bread.id, 1)], now=AFTER_MONDAY_CUTOFF - timedelta(seconds=2), day=TUESDAY)
    _place(world, [(world.bread.id, 1)], now=AFTER_MONDAY_CUTOFF, day=FRIDAY)


def test_place_order_drops_public_holidays(world):
    from datetime import UTC, date, datetime
    # Good Friday 2026 is 3 April: no delivery that day.
    with pytest.raises(checkout.NotADeliveryDay):
        _place(world, [(world.bread.id, 1)], now=datetime(2026, 3, 30, 9, tzinfo=UTC), day=date(2026, 4, 3))


def test_place_order_refuses_a_pickup_place_of_another_sub_region(world, now):
    with pytest.raises(checkout.WrongSubRegion):
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=world.station_choice(world.other_station))
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}


def test_place_order_refuses_an_inactive_or_unapproved_place_and_a_wrong_kind(world, now):
    world.sales_point.is_approved = False
    db.session.commit()
    with pytest.raises(checkout.PickupPlaceUnavailable):
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=world.sales_point_choice())
    with pytest.raises(checkout.PickupPlaceUnavailable):  # a station asked for as a sales point
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=FulfilmentChoice("sales_point", world.station.id))
    with pytest.raises(checkout.PickupPlaceUnavailable):
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=FulfilmentChoice("station", 999_999))
    with pytest.raises(checkout.InvalidFulfilment):
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=FulfilmentChoice("drone", None))


def test_chilled_goods_are_refused_for_an_ambient_only_place(world, now):
    for place, kind in ((world.ambient_station, "station"), (world.sales_point, "sales_point")):
        with pytest.raises(checkout.ColdChainBroken):
            _place(world, [(world.bread.id, 1), (world.milk.id, 1)], now=now,
                   fulfilment=FulfilmentChoice(kind, place.id))
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.milk) == {world.milk.id: 10}


def test_chilled_goods_go_to_a_chilled_compartment_a_chilled_shelf_or_the_door(world, now):
    orders = [
        _place(world, [(world.milk.id, 1)], now=now, fulfilment=world.station_choice()),
        _place(world, [(world.milk.id, 1)], now=now, fulfilment=world.sales_point_choice(world.chilled_sales_point)),
        _place(world, [(world.milk.id, 1), (world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice("door")),
    ]
    assert [o.fulfilment for o in orders] == [Fulfilment.STATION, Fulfilment.SALES_POINT, Fulfilment.DOOR]
    assert stocks(world.milk) == {world.milk.id: 7}


def test_frozen_goods_need_a_frozen_compartment_or_a_freezer_not_just_something_chilled(world, now):
    with pytest.raises(checkout.ColdChainBroken):
        _place(world, [(world.ice.id, 1)], now=now, fulfilment=world.station_choice())
    with pytest.raises(checkout.ColdChainBroken):  # a chilled shelf keeps goods cold, not frozen
        _place(world, [(world.ice.id, 1)], now=now, fulfilment=world.sales_point_choice(world.chilled_sales_point))
    db.session.rollback()
    assert stocks(world.ice) == {world.ice.id: 5}
    freezer = f.make_sales_point(f.make_place(world.station.place.municipality), has_freezer=True)
    frozen_station = f.make_station(f.make_place(world.station.place.municipality),
                                    compartments=(("M", "frozen", 1),))
    db.session.commit()
    _place(world, [(world.ice.id, 1)], now=now, fulfilment=world.sales_point_choice(freezer))
    _place(world, [(world.ice.id, 1)], now=now, fulfilment=world.station_choice(frozen_station))
    _place(world, [(world.ice.id, 3), (world.wine.id, 1)], now=now, fulfilment=FulfilmentChoice("door"))


def test_a_frozen_compartment_out_of_service_keeps_nothing_frozen(world, now):
    from marketplace.pickup.models import CompartmentState

    frozen_station = f.make_station(f.make_place(world.station.place.municipality),
                                    compartments=(("M", "frozen", 1),))
    frozen_station.compartments[0].state = CompartmentState.OUT_OF_SERVICE
    db.session.commit()
    with pytest.raises(checkout.ColdChainBroken):
        _place(world, [(world.ice.id, 1)], now=now, fulfilment=world.station_choice(frozen_station))


def test_a_sales_point_closed_on_the_delivery_weekday_is_refused_and_nothing_is_taken(world, now):
    friday_only = f.make_sales_point(f.make_place(world.station.place.municipality),
                                     hours=((5, "08:00", "12:00"),))
    db.session.commit()
    with pytest.raises(checkout.PickupPlaceClosed) as refused:
        _place(world, [(world.bread.id, 1)], now=now, day=TUESDAY,
               fulfilment=world.sales_point_choice(friday_only))
    assert refused.value.status == 409 and refused.value.code == "pickup_place_closed"
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}
    assert _place(world, [(world.bread.id, 1)], now=now, day=FRIDAY,
                  fulfilment=world.sales_point_choice(friday_only)).pickup_place_id == friday_only.id


def test_door_delivery_adds_the_fee_and_needs_the_minimum(world, now):
    with pytest.raises(checkout.BelowDoorMinimum):
        _place(world, [(world.bread.id, 1)], now=now, fulfilment=FulfilmentChoice("door"))
    order = _place(world, [(world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice("door", window="16:00-20:00"))
    assert order.fulfilment == Fulfilment.DOOR and order.pickup_place_id is None
    assert order.delivery_fee_cents == 390 and order.total_cents == 2580 + 390
    assert order.door_street == "Hauptstraße 1" and order.door_window == "16:00-20:00"
    vat = {v.rate: v.gross_cents for v in checkout.vat_of_order(order)}
    assert vat == {19: 2580 + 390}


def test_door_delivery_to_another_address_of_the_sub_region_is_located_like_a_home(world, now):
    # A village of the resident's sub-region near the PLZ's centre.
    village = f.make_place(world.station.place.municipality, name="Feldheim", lat=50.33, lon=7.2)
    db.session.commit()
    order = _place(world, [(world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice(
        "door", street="Feldweg 3", postcode="56727", town=village.name))
    assert (order.door_street, order.door_postcode, order.door_town) == ("Feldweg 3", "56727", village.name)
    # Located by its PLZ (offline), not the resident's home coordinates.
    from marketplace.regions.geo import postcode_coordinates
    assert (order.door_lat, order.door_lon) == postcode_coordinates("56727")
    assert (order.door_lat, order.door_lon) != (world.resident.home_lat, world.resident.home_lon)


@pytest.mark.parametrize("address, error", [
    (("Am Markt 1", "56727", "other sub-region"), checkout.AddressOutsideSubRegion),
    (("Unter den Linden 1", "10117", "Berlin"), checkout.AddressOutsideSubRegion),
    (("Nirgendwo 1", "00000", "Nirgendwo"), checkout.AddressNotFound),
])
def test_door_delivery_to_an_address_outside_the_sub_region_is_refused(world, now, address, error):
    street, postcode, town = address
    if town == "other sub-region":
        town = f.make_place(f.make_municipality(world.other_sub_region), lat=50.33, lon=7.2).name
        db.session.commit()
    with pytest.raises(error) as refused:
        _place(world, [(world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice(
            "door", street=street, postcode=postcode, town=town))
    assert refused.value.status == 422
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.wine) == {world.wine.id: 5}


def test_door_window_must_be_one_the_sub_region_offers(world, now):
    # The coordinator offers 08:00-12:00 and 16:00-20:00; anything else is refused, nothing taken.
    stock = world.wine.stock
    for window in ("12:00-16:00", "16-20", "morgens"):
        with pytest.raises(checkout.InvalidFulfilment):
            _place(world, [(world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice("door", window=window))
        db.session.rollback()
    db.session.refresh(world.wine)
    assert world.wine.stock == stock
    assert checkout.list_door_windows(world.sub_region) == ["08:00-12:00", "16:00-20:00"]


def test_door_delivery_is_refused_where_the_sub_region_does_not_offer_it(world, now):
    world.sub_region.door_delivery = False
    db.session.commit()
    with pytest.raises(checkout.DoorNotOffered):
        _place(world, [(world.wine.id, 2)], now=now, fulfilment=FulfilmentChoice("door"))


def test_a_resident_without_a_home_address_cannot_order(world, now):
    homeless = f.make_user()
    with pytest.raises(checkout.NoHomeAddress):
        _place(world, [(world.bread.id, 1)], now=now, resident=homeless)


def test_an_unknown_payment_method_is_refused(world, now):
    with pytest.raises(checkout.InvalidPaymentMethod):
        _place(world, [(world.bread.id, 1)], now=now, payment_method="bitcoin")
    db.session.rollback()
    assert count_orders() == 0


def test_staff_can_place_an_order_on_behalf_of_a_resident(world, now):
    staff = f.make_user(role=None)
    order = _place(world, [(world.bread.id, 1)], now=now, placed_by=staff)
    assert order.placed_by_id == staff.id and order.resident_id == world.resident.id
    assert order.events[0].actor_id == staff.id


# -- cancel ---------------------------------------------------------------------------------

def test_cancel_before_the_cutoff_gives_the_stock_back(world, now):
    order = _place(world, [(world.bread.id, 3), (world.bread.id, 2), (world.cake.id, 1)], now=now)
    db.session.commit()
    assert stocks(world.bread) == {world.bread.id: 15}
    cancel_order(order=order, actor=world.resident, now=now)
    db.session.commit()
    assert order.status == OrderStatus.CANCELLED
    assert stocks(world.bread, world.cake) == {world.bread.id: 20, world.cake.id: None}
    assert [e.kind for e in order.events] == ["placed", "cancelled"]


def test_cancel_after_the_cutoff_is_refused_and_changes_nothing(world, now):
    order = _place(world, [(world.bread.id, 3)], now=now)
    db.session.commit()
    events = count_events()
    with pytest.raises(checkout.CutoffPassed) as refused:
        cancel_order(order=order, actor=world.resident, now=AFTER_MONDAY_CUTOFF)
    assert refused.value.status == 409
    db.session.rollback()
    assert order.status == OrderStatus.PLACED and count_events() == events
    assert stocks(world.bread) == {world.bread.id: 17}


def test_cancelling_twice_is_refused_and_gives_nothing_back_twice(world, now):
    order = _place(world, [(world.bread.id, 3)], now=now)
    cancel_order(order=order, actor=world.resident, now=now)
    db.session.commit()
    with pytest.raises(checkout.InvalidTransition):
        cancel_order(order=order, actor=world.resident, now=now)
    db.session.rollback()
    assert stocks(world.bread) == {world.bread.id: 20}


def test_place_order_keeps_each_products_minimum_and_step_and_changes_nothing(world, now):
    world.bread.min_quantity, world.bread.quantity_step = 2, 2
    db.session.commit()
    with pytest.raises(checkout.QuantityNotAllowed) as refused:
        _place(world, [(world.bread.id, 3)], now=now)
    assert refused.value.params == {"product": "Bauernbrot", "minimum": 2, "step": 2}
    db.session.rollback()
    assert count_orders() == 0 and stocks(world.bread) == {world.bread.id: 20}
    order = _place(world, [(world.bread.id, 4)], now=now)
    assert order.lines[0].quantity == 4
