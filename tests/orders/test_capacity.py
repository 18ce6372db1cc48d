"""Capacity-aware checkout: an order holds room at its pickup place from placing to cancelling or
expiring; a full place is refused (409 no_room) with the nearest places that still have room, and
the checkout page shows it full."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.orders.services import add_to_cart, cancel_order, expire_order, place_order
from marketplace.pickup.models import CompartmentReservation, SalesPointReservation
from marketplace.pickup.reservations import NoCompartmentFree, SalesPointFull
from tests import factories as f
from tests.conftest import NOW, login
from tests.factories import TEST_PASSWORD
from tests.orders.helpers import FRIDAY, TUESDAY, count_orders, make_world, stocks


@pytest.fixture
def clock(app, monkeypatch):
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", lambda: NOW)


@pytest.fixture
def world(db, clock):
    world = make_world()
    municipality = world.resident.home_place.municipality
    # Farther from home than the world's places (factory places move away one by one).
    world.tiny = f.make_station(f.make_place(municipality), name="Paketstation Klein",
                                compartments=(("M", "chilled", 1), ("S", "ambient", 1)))
    world.closed_on_tuesday = f.make_sales_point(f.make_place(municipality), chilled=True,
                                                 hours=((5, "08:00", "12:00"),))
    world.no_chilled_room = f.make_sales_point(f.make_place(municipality), chilled=True, capacity_chilled=0)
    world.cheese = f.make_product(world.producer_b, name="Käseplatte", stock=100, crate_units=Decimal("0.5"),
                                  temperature="chilled")
    db.session.commit()
    return world


def _place(world, items, place, *, day=TUESDAY, resident=None):
    return place_order(resident=resident or world.resident, items=items, delivery_date=day,
                       fulfilment=world.station_choice(place) if place.kind == "station"
                       else world.sales_point_choice(place), payment_method="pay_on_pickup", now=NOW)


def _live(model):
    return db.session.scalars(select(model).where(model.released_at.is_(None)).order_by(model.id)).all()


def test_placing_reserves_compartments_per_temperature_class_and_a_large_order_takes_several(world):
    crates = f.make_product(world.producer_a, name="Kiste Äpfel", stock=10, crate_units=Decimal("1.5"))
    order = _place(world, [(crates.id, 3), (world.milk.id, 2)], world.station)
    db.session.commit()
    held = sorted((r.compartment.temperature.value, r.compartment.size.value, r.crate_units, r.order_id)
                  for r in _live(CompartmentReservation))
    assert held == [("ambient", "L", Decimal("4"), order.id), ("ambient", "S", Decimal("0.5"), order.id),
                    ("chilled", "M", Decimal("0.2"), order.id)]
    assert {r.delivery_date for r in _live(CompartmentReservation)} == {TUESDAY}


def test_the_checkout_takes_ambient_goods_into_a_chilled_only_station(world):
    chilled_only = f.make_station(world.resident.home_place, name="Paketstation Kühl",
                                  compartments=(("M", "chilled", 1),))
    db.session.commit()
    order = _place(world, [(world.bread.id, 2)], chilled_only)
    db.session.commit()
    held = [(r.compartment.station_id, r.compartment.temperature.value, r.order_id)
            for r in _live(CompartmentReservation)]
    assert held == [(chilled_only.id, "chilled", order.id)]


def test_one_order_never_shares_a_compartment_and_the_full_station_is_refused_with_alternatives(world):
    _place(world, [(world.milk.id, 1)], world.tiny)
    db.session.commit()
    before = (count_orders(), stocks(world.milk, world.bread), len(_live(CompartmentReservation)))
    with pytest.raises(NoCompartmentFree) as refused:
        _place(world, [(world.milk.id, 1), (world.bread.id, 1)], world.tiny)
    db.session.rollback()
    assert refused.value.status == 409 and refused.value.code == "no_room"
    # Places of the sub-region that keep milk cold, are open on Tuesday and have room, nearest first:
    # not the ambient-only ones, not the one closed on Tuesdays, not the one without chilled room.
    alternatives = refused.value.to_dict()["alternatives"]
    assert [a["pickup_place_id"] for a in alternatives] == [world.station.id, world.chilled_sales_point.id]
    assert alternatives[0]["name"] == world.station.name
    assert alternatives[0]["distance_km"] < alternatives[1]["distance_km"]
    assert (count_orders(), stocks(world.milk, world.bread), len(_live(CompartmentReservation))) == before
    # Another day the compartment is free again.
    assert _place(world, [(world.milk.id, 1)], world.tiny, day=FRIDAY).pickup_place_id == world.tiny.id


def test_a_sales_point_takes_orders_until_its_crate_units_for_the_day_are_used(world):
    point = world.chilled_sales_point
    point.capacity_chilled = 1
    db.session.commit()
    _place(world, [(world.cheese.id, 1)], point)
    _place(world, [(world.cheese.id, 1)], point)  # 0.5 + 0.5: exactly full
    db.session.commit()
    with pytest.raises(SalesPointFull) as refused:
        _place(world, [(world.cheese.id, 1)], point)
    db.session.rollback()
    assert refused.value.code == "no_room"
    assert [a["pickup_place_id"] for a in refused.value.to_dict()["alternatives"]] == [world.station.id, world.tiny.id]
    assert sum(r.crate_units for r in _live(SalesPointReservation)) == Decimal("1")
    assert stocks(world.cheese) == {world.cheese.id: 98}


def test_the_api_answers_409_no_room_with_the_alternatives_and_changes_nothing(world, client):
    _place(world, [(world.milk.id, 1)], world.tiny)
    db.session.commit()
    token = client.post("/api/v1/auth/token", json={"email": world.resident.email, "password": TEST_PASSWORD})
    before = (count_orders(), stocks(world.milk))
    response = client.post("/api/v1/orders", headers={"Authorization": f"Bearer {token.get_json()['token']}"}, json={
        "delivery_date": TUESDAY.isoformat(), "payment_method": "pay_on_pickup",
        "fulfilment": {"kind": "station", "pickup_place_id": world.tiny.id},
        "items": [{"product_id": world.milk.id, "quantity": 1}],
    })
    body = response.get_json()
    assert response.status_code == 409
    assert body["error"] == "no_room" and "kein passendes Fach" in body["detail"]
    assert [a["pickup_place_id"] for a in body["alternatives"]] == [world.station.id, world.chilled_sales_point.id]
    assert set(body["alternatives"][0]) == {"pickup_place_id", "name", "distance_km"}
    assert (count_orders(), stocks(world.milk)) == before


def test_cancelling_frees_the_compartment_for_the_next_order(world):
    order = _place(world, [(world.milk.id, 1)], world.tiny)
    db.session.commit()
    cancel_order(order=order, actor=world.resident, now=NOW)
    db.session.commit()
    assert _live(CompartmentReservation) == []
    assert db.session.scalar(select(func.count()).select_from(CompartmentReservation)) == 1  # kept, released
    assert _place(world, [(world.milk.id, 1)], world.tiny).pickup_place_id == world.tiny.id


def test_expiring_frees_the_sales_point_room(world):
    point = world.chilled_sales_point
    point.capacity_chilled = 1
    db.session.commit()
    order = _place(world, [(world.cheese.id, 2)], point)
    db.session.commit()
    with pytest.raises(SalesPointFull):
        _place(world, [(world.cheese.id, 1)], point)
    db.session.rollback()
    expire_order(order=db.session.get(Order, order.id), now=NOW)
    db.session.commit()
    assert _live(SalesPointReservation) == []
    assert _place(world, [(world.cheese.id, 2)], point).pickup_place_id == point.id


def _choice_of(html: str, place) -> str:
    value = f"{place.kind.value}:{place.id}"
    match = re.search(r'<div class="choice[^"]*"[^>]*>\s*<input[^>]*value="' + value + '".*?</div>', html, re.S)
    assert match, place.name
    return match.group(0)


def _checkout_with_the_small_station_full(world, client) -> str:
    """The checkout page of a basket of milk, the small station's only chilled compartment taken."""
    _place(world, [(world.milk.id, 1)], world.tiny)
    add_to_cart(user=world.resident, product_id=world.milk.id, quantity=1)
    db.session.commit()
    login(client, world.resident.email, TEST_PASSWORD)
    return client.get("/kasse").get_data(as_text=True)


def test_the_checkout_page_shows_a_full_place_as_full_with_the_nearest_places_that_have_room(world, client):
    html = _checkout_with_the_small_station_full(world, client)
    tiny = _choice_of(html, world.tiny)
    assert 'class="choice disabled"' in tiny and " disabled aria-describedby" in tiny  # Tuesday is chosen
    assert re.search(r"Am [^<]*3\. März 2026 voll\. Noch Platz: ", tiny) and f"Platz: {world.station.name} (" in tiny
    assert world.chilled_sales_point.name in tiny and world.closed_on_tuesday.name not in tiny
    assert TUESDAY.isoformat() in re.search(r'data-closed-days="([^"]*)"', tiny).group(1)
    assert FRIDAY.isoformat() not in re.search(r'data-closed-days="([^"]*)"', tiny).group(1)  # room on Friday
    station = _choice_of(html, world.station)
    assert "voll" not in station and 'class="choice"' in station


def test_ordering_into_a_full_place_from_the_checkout_form_is_a_field_error_naming_the_alternatives(world, client):
    from marketplace.payments.invoice_method import set_billing_profile

    # Nobody takes cash at a station: this resident pays by invoice there.
    set_billing_profile(resident=world.resident, may_pay_by_invoice=True, organisation=None, buyer_reference=None,
                        actor=None, now=NOW)
    db.session.commit()
    html = _checkout_with_the_small_station_full(world, client)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    before = (count_orders(), stocks(world.milk))
    response = client.post("/kasse", data={
        "csrf_token": token, "idempotency_key": key, "delivery_date": TUESDAY.isoformat(),
        "fulfilment": f"station:{world.tiny.id}", "payment_method": "invoice",
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="place-error">([^<]*)</p>', page).group(1)
    assert "kein passendes Fach mehr frei" in error and f"Noch Platz: {world.station.name} (" in error
    assert (count_orders(), stocks(world.milk)) == before
