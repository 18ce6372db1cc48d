"""The driver's phone app: its shell carries a token for the API, the manifest and the service
worker's scope; the route map names villages and highlights the next stop; only the tour's driver."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.api.auth import user_from_token
from marketplace.catalog.models import Temperature
from marketplace.delivery.driver_app.sheets import driver_map_svg
from marketplace.delivery.models import Tour, TourKind
from marketplace.delivery.services import confirm_stop_delivered, plan_day, publish_tours
from tests.conftest import login
from tests.delivery.day_factories import DAY, east, make_driver, make_order, make_small_day, make_station_at
from tests.factories import TEST_PASSWORD


@pytest.fixture
def published(db, now):
    day = make_small_day()
    make_order(day, place=make_station_at(day, east(2)), crates={Temperature.AMBIENT: 1})
    make_order(day, door=east(4))
    driver = make_driver(day.sub_region, "fahrer@example.org")
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now)
    publish_tours(day=DAY, sub_region=day.sub_region, now=now)
    db.session.commit()
    tour = db.session.scalars(select(Tour).where(Tour.kind == TourKind.DISTRIBUTION)).one()
    return day, tour, driver


def test_the_shell_carries_the_drivers_token_and_registers_its_worker(client, db, published):
    _, tour, driver = published
    login(client, driver.email, TEST_PASSWORD)
    html = client.get("/delivery/driver/app/").get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    assert user_from_token(token).id == driver.id
    assert f'data-day="{DAY.isoformat()}"' in html and 'rel="manifest"' in html and "driver-app.js" in html
    manifest = client.get("/delivery/driver/app/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.get_json()["scope"] == "/delivery/driver/app/" and manifest.get_json()["icons"]
    worker = client.get("/delivery/driver/app/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/delivery/driver/app/"
    assert "caches.open" in worker.get_data(as_text=True) and worker.mimetype == "text/javascript"
    # The driver's tour page links the app and shows the route map with a geo: link per stop.
    page = client.get(f"/delivery/driver/tours/{tour.id}").get_data(as_text=True)
    assert 'id="open-app"' in page and "svg" in page
    assert page.count('href="geo:') >= len(tour.visits)


def test_the_app_is_for_drivers_only(client, db, published):
    day, _, _ = published
    login(client, day.resident.email, TEST_PASSWORD)
    assert client.get("/delivery/driver/app/").status_code == 403


def test_the_route_map_names_the_villages_and_moves_the_highlight_to_the_next_stop(app, db, published, now):
    _, tour, _ = published
    first, second = tour.visits
    with app.test_request_context():
        svg = driver_map_svg(tour)
    assert re.search(rf'<g class="stop next" data-stop="{first.id}"', svg)
    assert f'data-stop="{second.id}"' in svg and 'class="caption"' in svg
    station = next(s for s in tour.visits if s.pickup_place is not None)
    assert station.pickup_place.place.name in svg
    confirm_stop_delivered(first, now=now)
    with app.test_request_context():
        svg = driver_map_svg(tour)
    assert re.search(rf'<g class="stop next" data-stop="{second.id}"', svg)
    assert not re.search(rf'<g class="stop next" data-stop="{first.id}"', svg)


def test_the_web_view_reports_a_failed_stop_and_ends_the_tour_with_what_came_back(client, db, published):
    from tests.conftest import csrf_token_from

    _, tour, driver = published
    login(client, driver.email, TEST_PASSWORD)
    page = f"/delivery/driver/tours/{tour.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="stop-failed"' in html and 'id="failed-note"' in html
    token = csrf_token_from(client, page)
    stop = tour.visits[0]
    refused = client.post(f"/delivery/driver/stops/{stop.id}/failed", data={"csrf_token": token, "note": " "})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(stop), stop.id).outcome is None and db.session.get(Tour, tour.id).started_at is None
    client.post(f"/delivery/driver/stops/{stop.id}/failed", data={"csrf_token": token, "note": "Station gesperrt"})
    db.session.expire_all()
    failed = db.session.get(type(stop), stop.id)
    assert failed.outcome.value == "failed" and failed.problem_note == "Station gesperrt"
    assert db.session.get(Tour, tour.id).started_at is not None  # a stop recorded starts the tour
    assert 'id="end-empty-crates"' in client.get(page).get_data(as_text=True)
    bad = client.post(f"/delivery/driver/tours/{tour.id}/end", data={"csrf_token": token, "empty_crates": "-3"})
    assert bad.status_code == 302
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).ended_at is None
    client.post(f"/delivery/driver/tours/{tour.id}/end",
                data={"csrf_token": token, "empty_crates": "3", "note": "Kisten von Halt 1"})
    db.session.expire_all()
    ended = db.session.get(Tour, tour.id)
    assert ended.ended_at is not None and ended.empty_crates_back == 3 and ended.returns_note == "Kisten von Halt 1"
    order = failed.orders[0].order
    assert order.status.value == "returned"
