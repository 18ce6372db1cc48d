"""The loading list at the hub: drop stops last to first, each order's crates and goods; who may see it."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import Tour, TourKind
from marketplace.delivery.queries import get_loading_list
from marketplace.delivery.services import assign_tour, plan_day, publish_tours
from tests import factories as f
from tests.conftest import csrf_token_from, login
from tests.delivery.day_factories import (
    DAY,
    east,
    make_coordinator,
    make_driver,
    make_order,
    make_small_day,
    make_station_at,
)
from tests.factories import TEST_PASSWORD


@pytest.fixture
def loaded(db, now):
    day = make_small_day()
    # At a fixed place: its goods are collected before the tour leaves.
    farm = f.make_producer(place=f.make_place(day.municipality, lat=east(3)[0], lon=east(3)[1]), name="Käserei Berg")
    cheese = f.make_product(farm, name="Bergkäse", temperature=Temperature.CHILLED, crate_units=Decimal("0.5"),
                            stock=None)
    near, far = make_station_at(day, east(2)), make_station_at(day, east(6))
    orders = [make_order(day, place=near, crates={Temperature.AMBIENT: 2}),
              f.make_order(day.resident, [(cheese, 3), (day.products[Temperature.FROZEN], 2)], place=far, day=DAY,
                           sub_region=day.sub_region),
              make_order(day, door=east(4))]
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    driver, other = make_driver(day.sub_region, "d1@example.org"), make_driver(day.sub_region, "d2@example.org")
    assign_tour(tour, driver=driver)
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    return day, tour, orders, farm, driver, other


def test_loading_list_goes_from_the_last_stop_to_the_first_with_crates_and_goods(db, loaded):
    day, tour, orders, farm, *_ = loaded
    stops, goods = get_loading_list(tour)
    assert [s.sequence for s in stops] == sorted((s.sequence for s in tour.visits), reverse=True)
    assert len(stops) == 3 and {s.kind for s in stops} == {"station", "door"}
    by_number = {o.number: o for s in stops for o in s.orders}
    cheese_order = by_number[orders[1].number]
    assert cheese_order.loads == {"ambient": 0, "chilled": 2, "frozen": 1}  # 1.5 → 2 crates, 1 → 1 crate
    assert dict(cheese_order.goods)["Käserei Berg"] == [("Bergkäse", 3, "chilled")]
    assert by_number[orders[0].number].loads == {"ambient": 2, "chilled": 0, "frozen": 0}
    totals = dict(goods)
    assert totals["Käserei Berg"] == [("Bergkäse", 3, "chilled")]
    assert sum(q for _, q, _ in totals[day.producer.name]) == 4 + 2 + 2


def test_loading_list_page_is_printable_for_the_coordinator_and_the_tours_driver_only(client, db, loaded):
    day, tour, orders, farm, driver, other = loaded
    coordinator = make_coordinator(day.sub_region, "k@example.org")
    stranger = make_coordinator(f.make_sub_region(day.sub_region.region), "k2@example.org")
    db.session.commit()
    url = f"/delivery/tours/{tour.id}/loading"
    assert client.get(url).status_code == 302  # to the login
    for user, status in ((coordinator, 200), (driver, 200), (other, 404), (stranger, 404), (day.resident, 404)):
        login(client, user.email, TEST_PASSWORD)
        response = client.get(url)
        assert response.status_code == status, user.email
        if status == 200:
            html = response.get_data(as_text=True)
            assert "Bergkäse" in html and orders[1].number in html and driver.name in html
            positions = [html.index(f"Halt {s.sequence}:") for s in sorted(tour.visits, key=lambda s: -s.sequence)]
            assert positions == sorted(positions)
            assert "delivery.css" in html
        client.post("/logout", data={"csrf_token": csrf_token_from(client, "/")})
    css = (Path(__file__).parents[2] / "static" / "css" / "delivery.css").read_text()
    assert ".loading-stop" in css and "@media print" in css


def test_collection_trip_has_nothing_to_load(client, db, loaded):
    day, *_ = loaded
    coordinator = make_coordinator(day.sub_region, "k3@example.org")
    db.session.commit()
    collection = db.session.scalars(select(Tour).where(Tour.kind == TourKind.COLLECTION)).one()
    assert get_loading_list(collection) == ([], [])
    login(client, coordinator.email, TEST_PASSWORD)
    assert "nichts eingeladen" in client.get(f"/delivery/tours/{collection.id}/loading").get_data(as_text=True)


def test_loading_list_names_the_compartments_held_at_the_station(db, loaded):
    from marketplace.pickup.reservations import reserve_compartments

    day, tour, orders, *_ = loaded
    station = orders[0].pickup_place
    held = reserve_compartments(station=station, delivery_date=DAY, crates_by_temperature={"ambient": 2},
                                order_id=orders[0].id)
    stops, _ = get_loading_list(tour)
    by_number = {o.number: o for s in stops for o in s.orders}
    assert by_number[orders[0].number].compartments == sorted(c.label for c in held) and held
    assert by_number[orders[2].number].compartments == []  # the door
