"""Drivers and vehicles per tour: the service, publishing's default, the coordinator's form, the CLI, the driver's view."""
from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from marketplace.catalog.models import Temperature
from marketplace.delivery.models import Tour, TourKind
from marketplace.delivery.services import (
    NotADriverHere,
    VehicleBusy,
    VehicleNotHere,
    VehicleTooSmall,
    assign_tour,
    plan_day,
    publish_tours,
)
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
def day_with_tours(db, now):
    """Two vans of 2 crates, two stations of 2 crates each (east and west): one distribution tour each
    (a short shift leaves no time for one van to serve both, one after the other)."""
    day = make_small_day(vehicles=2, capacity_ambient=2, capacity_chilled=0, shift_end=time(7, 16))
    for km in (2, -2):
        make_order(day, place=make_station_at(day, east(km)), crates={Temperature.AMBIENT: 2})
    plan_day(day=DAY, sub_region=day.sub_region, seconds=0.2, now=now, workers=1)
    db.session.commit()
    return day


def _tours(db):
    return db.session.scalars(select(Tour).order_by(Tour.starts_at, Tour.id)).all()


def _distribution(db):
    return [t for t in _tours(db) if t.kind == TourKind.DISTRIBUTION]


def test_assigning_gives_every_trip_of_the_vehicle_that_day_to_the_driver(db, day_with_tours):
    driver = make_driver(day_with_tours.sub_region, "a@example.org")
    tour = _distribution(db)[0]
    trips = assign_tour(tour, driver=driver)
    assert {t.driver_id for t in trips} == {driver.id}
    assert {t.id for t in trips} == {t.id for t in _tours(db) if t.vehicle_id == tour.vehicle_id}
    assert all(t.driver_id is None for t in _tours(db) if t.vehicle_id != tour.vehicle_id)


def test_assigning_refuses_a_driver_of_another_sub_region_and_changes_nothing(db, day_with_tours):
    stranger = make_driver(f.make_sub_region(day_with_tours.sub_region.region), "b@example.org")
    resident = f.make_user()
    tour = _distribution(db)[0]
    for person in (stranger, resident):
        with pytest.raises(NotADriverHere):
            assign_tour(tour, driver=person)
    assert all(t.driver_id is None for t in _tours(db))


def test_swapping_the_vehicle_moves_its_trips_and_refuses_busy_foreign_or_small_vans(db, day_with_tours):
    tour, other = _distribution(db)[:2]
    spare = f.make_vehicle(day_with_tours.sub_region, name="Ersatz")
    with pytest.raises(VehicleBusy):
        assign_tour(tour, driver=None, vehicle=other.vehicle)
    with pytest.raises(VehicleNotHere):
        assign_tour(tour, driver=None, vehicle=f.make_vehicle(f.make_sub_region()))
    with pytest.raises(VehicleTooSmall):
        assign_tour(tour, driver=None, vehicle=f.make_vehicle(day_with_tours.sub_region, capacity_ambient=1,
                                                              capacity_chilled=0))
    with pytest.raises(VehicleTooSmall):  # frozen room takes no ambient crates
        assign_tour(tour, driver=None, vehicle=f.make_vehicle(day_with_tours.sub_region, capacity_ambient=1,
                                                              capacity_chilled=0, capacity_frozen=9))
    old = tour.vehicle_id
    # 1 ambient + 1 chilled place hold the tour's 2 ambient crates.
    trips = assign_tour(tour, driver=None, vehicle=f.make_vehicle(day_with_tours.sub_region, capacity_ambient=1,
                                                                  capacity_chilled=1, capacity_frozen=0))
    assert {t.vehicle_id for t in trips} != {old}
    trips = assign_tour(tour, driver=None, vehicle=spare)
    assert tour in trips and {t.vehicle_id for t in trips} == {spare.id}
    assert not [t for t in _tours(db) if t.vehicle_id == old]


def test_publishing_assigns_the_only_driver_to_unassigned_tours(db, day_with_tours, now):
    driver = make_driver(day_with_tours.sub_region, "only@example.org")
    publish_tours(day=DAY, sub_region=day_with_tours.sub_region, now=now)
    assert {t.driver_id for t in _tours(db)} == {driver.id}


def test_publishing_with_two_drivers_leaves_the_assignment_to_the_coordinator(db, day_with_tours, now):
    first = make_driver(day_with_tours.sub_region, "one@example.org")
    make_driver(day_with_tours.sub_region, "two@example.org")
    tour = _distribution(db)[0]
    assign_tour(tour, driver=first)
    publish_tours(day=DAY, sub_region=day_with_tours.sub_region, now=now)
    assert {t.driver_id for t in _tours(db) if t.vehicle_id == tour.vehicle_id} == {first.id}
    assert {t.driver_id for t in _tours(db) if t.vehicle_id != tour.vehicle_id} == {None}


def test_replanning_keeps_the_driver_of_each_vehicle(db, day_with_tours, now):
    driver = make_driver(day_with_tours.sub_region, "keep@example.org")
    tour = _distribution(db)[0]
    vehicle_id = tour.vehicle_id
    assign_tour(tour, driver=driver)
    db.session.commit()
    plan_day(day=DAY, sub_region=day_with_tours.sub_region, seconds=0.2, now=now, workers=1)
    assert {t.driver_id for t in _tours(db) if t.vehicle_id == vehicle_id} == {driver.id}


def _post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_token_from(client, page), **data})


def test_coordinator_assigns_driver_and_vehicle_on_the_day_view(client, db, day_with_tours):
    sub = day_with_tours.sub_region
    coordinator = make_coordinator(sub, "k@example.org")
    first, second = make_driver(sub, "f1@example.org"), make_driver(sub, "f2@example.org")
    spare = f.make_vehicle(sub, name="Ersatzwagen")
    db.session.commit()
    login(client, coordinator.email, TEST_PASSWORD)
    page = f"/delivery/{sub.slug}/days/{DAY.isoformat()}"
    html = client.get(page).get_data(as_text=True)
    tour = _distribution(db)[0]
    assert f'/delivery/{sub.slug}/tours/{tour.id}/assign' in html and first.name in html
    token = csrf_token_from(client, page)
    p = f"t{tour.id}-"
    response = client.post(f"/delivery/{sub.slug}/tours/{tour.id}/assign",
                           data={f"{p}csrf_token": token, f"{p}driver_id": second.id, f"{p}vehicle_id": spare.id})
    assert response.status_code == 302
    db.session.expire_all()
    tour = db.session.get(Tour, tour.id)
    assert tour.driver_id == second.id and tour.vehicle_id == spare.id

    # Not a driver of the sub-region: a form error, nothing changes.
    response = client.post(f"/delivery/{sub.slug}/tours/{tour.id}/assign",
                           data={f"{p}csrf_token": token, f"{p}driver_id": coordinator.id, f"{p}vehicle_id": spare.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).driver_id == second.id
    assert "Bitte Fahrer und Fahrzeug" in client.get(page).get_data(as_text=True)


def test_another_sub_regions_tour_is_not_found_for_the_coordinator(client, db, day_with_tours):
    mine = f.make_sub_region(day_with_tours.sub_region.region)
    coordinator = make_coordinator(mine, "mine@example.org")
    db.session.commit()
    login(client, coordinator.email, TEST_PASSWORD)
    tour = _distribution(db)[0]
    token = csrf_token_from(client, "/delivery/")
    p = f"t{tour.id}-"
    response = client.post(f"/delivery/{mine.slug}/tours/{tour.id}/assign",
                           data={f"{p}csrf_token": token, f"{p}driver_id": 0, f"{p}vehicle_id": tour.vehicle_id})
    assert response.status_code == 404
    assert client.post(f"/delivery/{day_with_tours.sub_region.slug}/tours/{tour.id}/assign",
                       data={f"{p}csrf_token": token}).status_code == 404


def test_a_driver_sees_only_the_tours_assigned_to_them(client, db, day_with_tours, now):
    sub = day_with_tours.sub_region
    first, second = make_driver(sub, "d1@example.org"), make_driver(sub, "d2@example.org")
    mine, theirs = _distribution(db)[:2]
    assign_tour(mine, driver=first)
    assign_tour(theirs, driver=second)
    publish_tours(day=DAY, sub_region=sub, now=now)
    db.session.commit()
    login(client, first.email, TEST_PASSWORD)
    assert client.get(f"/delivery/driver/tours/{mine.id}").status_code == 200
    assert client.get(f"/delivery/driver/tours/{theirs.id}").status_code == 404
    assert client.get(f"/delivery/tours/{theirs.id}/sheet").status_code == 404
    sheet = client.get(f"/delivery/tours/{mine.id}/sheet").get_data(as_text=True)
    assert first.name in sheet
    index = client.get("/delivery/driver")
    listed = index.headers.get("Location", "") + index.get_data(as_text=True)
    assert f"/delivery/driver/tours/{theirs.id}" not in listed
    assert str(mine.id) in listed


def test_cli_assigns_a_driver_and_refuses_clearly(runner, db, day_with_tours):
    sub = day_with_tours.sub_region
    driver = make_driver(sub, "cli@example.org")
    stranger = make_driver(f.make_sub_region(sub.region), "stranger@example.org")
    db.session.commit()
    tour = _distribution(db)[0]
    result = runner.invoke(args=["tours", "assign", "--tour", str(tour.id), "--driver", "CLI@example.org"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).driver_id == driver.id
    for args, message in (
        (["--tour", "999999", "--driver", driver.email], "no tour 999999"),
        (["--tour", str(tour.id), "--driver", "nobody@example.org"], "no user with the e-mail address"),
        (["--tour", str(tour.id), "--driver", stranger.email], "not_a_driver_here"),
    ):
        result = runner.invoke(args=["tours", "assign", *args])
        assert result.exit_code != 0 and message in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Tour, tour.id).driver_id == driver.id
