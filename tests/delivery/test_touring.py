"""Start tour, end tour: orders go in transit, residents are told when to expect them; only the tour's driver."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import Tour, TourKind
from marketplace.delivery.services import (
    ON_THE_WAY,
    TourAlreadyEnded,
    TourAlreadyStarted,
    TourNotPublished,
    TourNotStarted,
    end_tour,
    plan_day,
    publish_tours,
    start_tour,
)
from marketplace.notifications.kinds import render
from marketplace.notifications.models import Notification
from marketplace.orders.models import OrderStatus
from tests.conftest import csrf_token_from, login
from tests.delivery.day_factories import DAY, east, make_driver, make_order, make_small_day, make_station_at
from tests.factories import TEST_PASSWORD


@pytest.fixture
def published(db, now):
    day = make_small_day()
    orders = [make_order(day, place=make_station_at(day, east(2)), crates={Temperature.AMBIENT: 1}),
              make_order(day, door=east(4), status=OrderStatus.PACKED)]
    driver = make_driver(day.sub_region, "fahrer@example.org")
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    return day, tour, orders, driver


def test_starting_a_tour_puts_its_orders_in_transit_and_tells_each_resident_once(db, published, now):
    day, tour, orders, driver = published
    start_tour(tour, now=now, actor=driver)
    db.session.flush()
    assert tour.started_at == now and tour.is_under_way
    assert {o.status for o in orders} == {OrderStatus.IN_TRANSIT}
    notes = db.session.scalars(select(Notification).where(Notification.kind == ON_THE_WAY)).all()
    assert sorted({n.order_id for n in notes}) == sorted(o.id for o in orders)
    arrival = {s.orders[0].order_id: s.planned_arrival for s in tour.visits}
    for note in notes:
        assert note.context["expected_at"] == arrival[note.order_id].isoformat()
    with pytest.raises(TourAlreadyStarted):
        start_tour(tour, now=now)
    assert db.session.scalars(select(Notification).where(Notification.kind == ON_THE_WAY)).all() == notes


def test_ending_needs_a_started_tour_and_happens_once(db, published, now):
    _, tour, _, _ = published
    with pytest.raises(TourNotStarted):
        end_tour(tour, now=now)
    start_tour(tour, now=now)
    end_tour(tour, now=now)
    assert tour.ended_at == now and not tour.is_under_way
    with pytest.raises(TourAlreadyEnded):
        end_tour(tour, now=now)


def test_a_planned_tour_cannot_start(db, now):
    day = make_small_day()
    make_order(day, place=make_station_at(day, east(2)))
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    with pytest.raises(TourNotPublished):
        start_tour(tour, now=now)
    assert tour.started_at is None


def test_on_the_way_texts_in_german_and_english_with_the_expected_time(db):
    context = {"order_number": "LK-AAAA-BBBB", "resident_name": "Erna", "expected_at": "2026-03-03T09:45:00+00:00",
               "fulfilment": "door", "place_name": None, "door_town": "Kempenich"}
    german, english = render(ON_THE_WAY, context, "de"), render(ON_THE_WAY, context, "en")
    assert "unterwegs" in german.sms and "10:45" in german.sms  # local time, UTC+1 in March
    assert "on the way" in english.sms and "10:45" in english.sms
    assert len(german.sms) <= 160 and len(english.sms) <= 160


def test_the_tours_driver_starts_and_ends_it_others_get_404(client, db, published):
    day, tour, orders, driver = published
    other = make_driver(day.sub_region, "zweiter@example.org")  # tour stays assigned to the first
    db.session.commit()
    login(client, other.email, TEST_PASSWORD)
    token = csrf_token_from(client, "/delivery/driver")
    assert client.post(f"/delivery/driver/tours/{tour.id}/start", data={"csrf_token": token}).status_code == 404
    client.post("/logout", data={"csrf_token": token})
    login(client, driver.email, TEST_PASSWORD)
    page = f"/delivery/driver/tours/{tour.id}"
    assert 'id="start-tour"' in client.get(page).get_data(as_text=True)
    token = csrf_token_from(client, page)
    assert client.post(f"/delivery/driver/tours/{tour.id}/start", data={"csrf_token": token}).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'id="end-tour"' in html and 'id="start-tour"' not in html
    again = client.post(f"/delivery/driver/tours/{tour.id}/start", data={"csrf_token": token})
    assert again.status_code == 302  # refused with a message, nothing changes
    assert client.post(f"/delivery/driver/tours/{tour.id}/end", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    stored = db.session.get(Tour, tour.id)
    assert stored.started_at is not None and stored.ended_at is not None
    assert db.session.scalars(select(Notification).where(Notification.kind == ON_THE_WAY)).all()


def test_the_coordinators_day_view_shows_which_tour_is_under_way(client, db, published, now):
    from tests.delivery.day_factories import make_coordinator

    day, tour, _, driver = published
    coordinator = make_coordinator(day.sub_region, "koord@example.org")
    start_tour(tour, now=now)
    db.session.commit()
    login(client, coordinator.email, TEST_PASSWORD)
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert 'data-tour-progress="started"' in html and driver.name in html
    end_tour(tour, now=now)
    db.session.commit()
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert 'data-tour-progress="ended"' in html
