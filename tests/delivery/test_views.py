"""Delivery screens: wiring, permissions, forms, map, tour sheet and the driver's phone view."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import StopState, Tour, TourStatus, Vehicle
from marketplace.delivery.queries import list_dropoff_producer_ids
from marketplace.delivery.services import (
    create_plan_run,
    finish_plan_run,
    plan_day,
    publish_tours,
    start_plan_run,
)
from marketplace.orders.models import OrderEvent, OrderStatus
from marketplace.regions.models import DoorWindow
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
from tests.factories import TEST_PASSWORD, make_sub_region


@pytest.fixture
def planned(db, now):
    day = make_small_day(vehicles=2, capacity_ambient=2)
    for km in (2, -2):
        make_order(day, place=make_station_at(day, east(km)), crates={Temperature.AMBIENT: 2})
    make_order(day, door=(None, None))
    coordinator = make_coordinator(day.sub_region, "koord@example.org")
    driver = make_driver(day.sub_region, "fahrer@example.org")
    run = create_plan_run(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    start_plan_run(run, now=now)
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now, workers=1, run=run)
    finish_plan_run(run, now=now)
    db.session.commit()
    return day, coordinator, driver


def _login(client, email):
    return login(client, email, TEST_PASSWORD)


def _post(client, url, data=None, page=None):
    token = csrf_token_from(client, page or url)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_day_view_shows_map_with_one_path_per_tour_and_unserved(client, planned, db):
    day, coordinator, _ = planned
    _login(client, coordinator.email)
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    tours = db.session.scalars(select(Tour)).all()
    assert len([t for t in tours if t.kind == "distribution"]) == 2  # capacity 2 crates each
    svg = re.search(r"<svg[^>]*class=\"tour-map\".*?</svg>", html, re.S).group(0)
    assert svg.count("<path") == len(tours)
    assert "<title id=\"map-title\">" in svg and "<desc id=\"map-desc\">" in svg
    assert "Ort ohne Koordinaten" in html
    assert "Neu planen ersetzt nur die noch nicht veröffentlichten Touren" in html
    assert "Touren veröffentlichen" in html


def test_another_sub_regions_coordinator_finds_nothing_and_changes_nothing(client, planned, db):
    day, _, _ = planned
    other = make_sub_region(day.sub_region.region)
    stranger = make_coordinator(other, "fremd@example.org")
    db.session.commit()
    _login(client, stranger.email)
    slug = day.sub_region.slug
    for page in (f"/delivery/{slug}", f"/delivery/{slug}/days/{DAY.isoformat()}", f"/delivery/{slug}/settings",
                 f"/delivery/{slug}/days/{DAY.isoformat()}/progress"):
        assert client.get(page).status_code == 404, page
    tour = db.session.scalars(select(Tour)).first()
    assert client.get(f"/delivery/tours/{tour.id}/sheet").status_code == 404
    token = csrf_token_from(client, "/login")
    assert client.post(f"/delivery/{slug}/days/{DAY.isoformat()}/publish",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/delivery/{slug}/door-windows",
                       data={"csrf_token": token, "starts": "08:00", "ends": "10:00"}).status_code == 404
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(Tour))} == {TourStatus.PLANNED}
    assert db.session.scalars(select(DoorWindow)).all() == []


def test_a_resident_is_refused_the_coordinators_pages(client, planned, db):
    day, _, _ = planned
    f.make_user("bewohner@example.org")
    db.session.commit()
    _login(client, "bewohner@example.org")
    assert client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").status_code == 403


def test_publish_makes_tours_visible_to_the_driver_only_then(client, planned, db):
    day, coordinator, driver = planned
    _login(client, driver.email)
    tour = db.session.scalars(select(Tour)).first()
    assert client.get(f"/delivery/driver/tours/{tour.id}").status_code == 404
    assert client.get(f"/delivery/tours/{tour.id}/sheet").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/delivery/driver")})

    _login(client, coordinator.email)
    page = f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}"
    response = _post(client, f"{page}/publish", page=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(Tour))} == {TourStatus.PUBLISHED}
    assert "Touren planen" in client.get(page).get_data(as_text=True)


def test_driver_confirms_a_stop_and_reports_a_problem(client, planned, db, now):
    day, coordinator, driver = planned
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    _login(client, driver.email)
    response = client.get("/delivery/driver")
    assert response.status_code == 200  # two tours: a list
    tour = db.session.scalars(select(Tour).where(Tour.kind == "distribution").order_by(Tour.id)).first()
    page = f"/delivery/driver/tours/{tour.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Zustellung bestätigen" in html
    first, *_ = tour.visits
    assert _post(client, f"/delivery/driver/stops/{first.id}/delivered", page=page).status_code == 302
    db.session.expire_all()
    first = db.session.get(type(first), first.id)
    assert first.state == StopState.DONE
    order = first.orders[0].order
    assert order.status == OrderStatus.DELIVERED
    kinds = [e.kind for e in order.events]
    assert kinds[-3:] == ["packed_at_loading", "on_tour", "delivered"]
    # Confirming twice is refused with a message, nothing changes.
    again = _post(client, f"/delivery/driver/stops/{first.id}/delivered", page=page)
    assert again.status_code == 302
    assert len(db.session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()) == len(kinds)

    other_tour = db.session.scalars(select(Tour).where(Tour.kind == "distribution").order_by(Tour.id.desc())).first()
    stop = other_tour.visits[0]
    response = _post(client, f"/delivery/driver/stops/{stop.id}/problem", {"problem": "closed", "note": "Zu!"},
                     page=f"/delivery/driver/tours/{other_tour.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(stop), stop.id).state == StopState.PROBLEM
    client.post("/logout", data={"csrf_token": csrf_token_from(client, "/delivery/driver")})
    _login(client, coordinator.email)
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert "Geschlossen" in html and "Zu!" in html


def test_driver_of_another_sub_region_sees_nothing(client, planned, db, now):
    day, _, _ = planned
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    other = make_driver(make_sub_region(day.sub_region.region), "anderer@example.org")
    db.session.commit()
    _login(client, other.email)
    tour = db.session.scalars(select(Tour)).first()
    assert client.get(f"/delivery/driver/tours/{tour.id}").status_code == 404
    assert _post(client, f"/delivery/driver/stops/{tour.visits[0].id}/delivered",
                 page="/delivery/driver").status_code == 404


def test_tour_sheet_lists_stops_and_never_pickup_codes(client, planned, db):
    day, coordinator, _ = planned
    _login(client, coordinator.email)
    tour = db.session.scalars(select(Tour).where(Tour.kind == "distribution")).first()
    html = client.get(f"/delivery/tours/{tour.id}/sheet").get_data(as_text=True)
    assert "Tourenblatt" in html and "@media print" not in html  # print CSS lives in the stylesheet
    for stop in tour.visits:
        assert stop.label in html
        for link in stop.orders:
            assert link.order.number in html
    assert "code" not in html.lower().replace("unicode", "")
    template = (Path(__file__).parents[2] / "templates" / "delivery" / "sheet.html").read_text()
    assert "code" not in template.lower()
    assert "css/delivery.css" in html
    css = client.get("/static/css/delivery.css")
    assert css.status_code == 200 and "@media print" in css.get_data(as_text=True)


def test_settings_forms_save_and_show_clear_errors(client, db, now):
    day = make_small_day(vehicles=0)
    coordinator = make_coordinator(day.sub_region, "koord2@example.org")
    db.session.commit()
    _login(client, coordinator.email)
    base = f"/delivery/{day.sub_region.slug}"
    good = {"name": "Kühlwagen", "capacity_ambient": "30", "capacity_chilled": "10", "capacity_frozen": "2",
            "shift_start": "07:00", "shift_end": "14:00", "cost_per_km_cents": "35", "cost_per_hour_cents": "2500"}
    assert _post(client, f"{base}/vehicles/new", good).status_code == 302
    bad = _post(client, f"{base}/vehicles/new", {**good, "name": "Zweiter", "shift_end": "06:00",
                                                "capacity_chilled": "-1"}, page=f"{base}/vehicles/new")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Das Ende muss nach dem Beginn liegen." in text and "Zwischen 0 und 1000." in text
    vehicle = db.session.scalars(select(Vehicle)).one()
    assert (vehicle.capacity_chilled, vehicle.shift_end.hour) == (10, 14)
    # Same name again: the service refuses with a message.
    again = _post(client, f"{base}/vehicles/new", good, page=f"{base}/vehicles/new")
    assert again.status_code == 302
    assert db.session.scalars(select(Vehicle)).all() == [vehicle]
    assert _post(client, f"{base}/vehicles/{vehicle.id}/active", page=f"{base}/settings").status_code == 302
    db.session.expire_all()
    assert db.session.get(Vehicle, vehicle.id).is_active is False

    assert _post(client, f"{base}/door-windows", {"starts": "08:00", "ends": "12:00"},
                 page=f"{base}/settings").status_code == 302
    _post(client, f"{base}/door-windows", {"starts": "12:00", "ends": "08:00"}, page=f"{base}/settings")
    assert [w.label for w in db.session.scalars(select(DoorWindow))] == ["08:00-12:00"]

    schedule = {"weekdays": ["1", "4"], "cutoff_days_before": "2", "cutoff_time": "12:00",
                "hub_place_id": str(day.hub.id), "service_seconds_per_stop": "240",
                "service_seconds_per_crate": "20"}
    assert _post(client, f"{base}/settings", schedule).status_code == 302
    db.session.expire_all()
    assert day.sub_region.schedule.weekdays == [1, 4]
    assert day.sub_region.schedule.dropoff_by is None
    assert _post(client, f"{base}/settings", {**schedule, "cutoff_days_before": "99"}).status_code == 422
    assert _post(client, f"{base}/settings", {**schedule, "dropoff_by": "halb sieben"}).status_code == 422
    assert _post(client, f"{base}/settings", {**schedule, "dropoff_by": "06:30"}).status_code == 302
    db.session.expire_all()
    assert day.sub_region.schedule.dropoff_by.strftime("%H:%M") == "06:30"

    # Who drops off: producers of the region; another region's producer is no choice.
    stranger = f.make_producer()
    db.session.commit()
    page = client.get(f"{base}/settings").get_data(as_text=True)
    assert day.producer.name in page and stranger.name not in page
    with_dropoff = {**schedule, "dropoff_by": "06:30", "dropoff_producer_ids": [str(day.producer.id)]}
    assert _post(client, f"{base}/settings", with_dropoff).status_code == 302
    assert list_dropoff_producer_ids(day.sub_region.id) == [day.producer.id]
    refused = _post(client, f"{base}/settings", {**with_dropoff, "dropoff_producer_ids": [str(stranger.id)]})
    assert refused.status_code == 422
    assert list_dropoff_producer_ids(day.sub_region.id) == [day.producer.id]
    assert _post(client, f"{base}/settings", {**schedule, "dropoff_by": "06:30"}).status_code == 302
    assert list_dropoff_producer_ids(day.sub_region.id) == []


def test_plan_button_starts_a_run_and_progress_is_json(client, app, db, planned, monkeypatch):
    day, coordinator, _ = planned
    monkeypatch.setitem(app.config, "JOBS_EAGER", True)
    _login(client, coordinator.email)
    page = f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}"
    assert _post(client, f"{page}/plan", {"seconds": "2"}, page=page).status_code == 302
    from marketplace.delivery.models import PlanRun

    run = db.session.scalars(select(PlanRun).order_by(PlanRun.id.desc())).first()
    assert run.seconds == pytest.approx(0.3)  # capped for tests by DELIVERY_MAX_PLAN_SECONDS
    status = client.get(f"/delivery/runs/{run.id}", headers={"Accept": "application/json"}).get_json()
    assert status["status"] == "done" and status["progress"] == 100 and status["finished"] is True
    html = client.get(page).get_data(as_text=True)
    assert 'id="grouping-cost"' in html


def test_progress_box_polls_while_a_run_is_queued(client, db, planned, now):
    day, coordinator, _ = planned
    create_plan_run(day=DAY, sub_region=day.sub_region, seconds=1, now=now + timedelta(seconds=1))
    db.session.commit()
    _login(client, coordinator.email)
    html = client.get(f"/delivery/{day.sub_region.slug}/days/{DAY.isoformat()}").get_data(as_text=True)
    assert "data-run-url" in html and "progress.js" in html and 'http-equiv="refresh"' in html
    assert client.get("/static/js/progress.js").status_code == 200


def test_driver_keeps_an_earlier_tour_until_its_stops_are_done(planned, db, now):
    from marketplace.delivery.queries import list_driver_tours

    day, _, driver = planned
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    assert {t.delivery_date for t in list_driver_tours(driver, DAY)} == {DAY}
    # The day after: no tour from then on, so the unfinished one of DAY stays on the phone.
    later = DAY + timedelta(days=1)
    assert {t.delivery_date for t in list_driver_tours(driver, later)} == {DAY}
    for tour in db.session.scalars(select(Tour)):
        for stop in tour.visits:
            stop.state = StopState.DONE
    db.session.commit()
    assert list_driver_tours(driver, later) == []
    # A tour from today on still comes first.
    assert {t.delivery_date for t in list_driver_tours(driver, DAY)} == {DAY}


def test_coordinator_starts_at_an_earlier_day_until_its_tours_are_done(planned, client, db, now, app, monkeypatch):
    day, coordinator, _ = planned
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    monkeypatch.setitem(app.config, "LANDKORB_CLOCK", datetime.combine(DAY + timedelta(days=1), time(9), UTC))
    _login(client, coordinator.email)
    home = f"/delivery/{day.sub_region.slug}"
    assert client.get(home).headers["Location"].endswith(f"/days/{DAY.isoformat()}")
    html = client.get(f"{home}/days/{(DAY + timedelta(days=3)).isoformat()}").get_data(as_text=True)
    assert f'href="{home}/days/{DAY.isoformat()}"' in html  # still in the list of days
    for tour in db.session.scalars(select(Tour)):
        for stop in tour.visits:
            stop.state = StopState.DONE
    db.session.commit()
    assert not client.get(home).headers["Location"].endswith(f"/days/{DAY.isoformat()}")
