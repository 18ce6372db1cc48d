"""accounts.permissions: who may see an order, a tour, a producer's lines."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import (
    can_act_for_producer,
    can_coordinate,
    can_drive,
    can_see_order,
    can_see_tour,
    first_scoped_or_403,
)
from marketplace.catalog.models import Producer
from marketplace.regions.models import Region
from tests import factories as f


def test_an_order_is_seen_by_its_resident_and_the_staff_who_placed_it_only(db):
    resident, staff, stranger = f.make_user(), f.make_user(), f.make_user()
    order = SimpleNamespace(resident_id=resident.id, placed_by_id=staff.id)
    assert can_see_order(resident, order) and can_see_order(staff, order)
    assert not can_see_order(stranger, order) and not can_see_order(None, order)
    assert not can_see_order(staff, SimpleNamespace(resident_id=resident.id, placed_by_id=None))


def test_tours_are_for_their_sub_regions_coordinators_and_published_ones_for_their_drivers(db):
    sub, other = f.make_sub_region(), f.make_sub_region()
    coordinator = f.make_user(role=Role.COORDINATOR, scope_id=sub.id)
    driver = f.make_user(role=Role.DRIVER, scope_id=sub.id)
    elsewhere = f.make_user(role=Role.DRIVER, scope_id=other.id)
    planned = SimpleNamespace(sub_region_id=sub.id, is_published=False, driver_id=None)
    published = SimpleNamespace(sub_region_id=sub.id, is_published=True, driver_id=driver.id)
    assert can_coordinate(coordinator, sub.id) and not can_coordinate(driver, sub.id)
    assert can_see_tour(coordinator, planned) and can_see_tour(coordinator, published)
    assert not can_see_tour(driver, planned) and can_drive(driver, published)
    assert not can_drive(elsewhere, published) and not can_see_tour(elsewhere, published)


def test_a_producers_lines_are_for_its_own_staff(db):
    mine, theirs = f.make_producer(), f.make_producer()
    staff = f.make_user(role=Role.PRODUCER, scope_id=mine.id)
    assert can_act_for_producer(staff, mine.id) and not can_act_for_producer(staff, theirs.id)
    assert not can_act_for_producer(None, mine.id)


def test_a_driver_drives_only_the_tours_assigned_to_them(db):
    sub = f.make_sub_region()
    first = f.make_user(role=Role.DRIVER, scope_id=sub.id)
    assigned = SimpleNamespace(sub_region_id=sub.id, is_published=True, driver_id=first.id)
    unassigned = SimpleNamespace(sub_region_id=sub.id, is_published=True, driver_id=None)
    assert can_drive(first, assigned) and not can_drive(first, unassigned)  # even as the only driver
    second = f.make_user(role=Role.DRIVER, scope_id=sub.id)
    assert can_drive(first, assigned) and not can_drive(second, assigned)
    assert not can_drive(first, unassigned) and not can_drive(second, unassigned)
    assert can_see_tour(first, assigned) and not can_see_tour(second, assigned)
    planned_for_first = SimpleNamespace(sub_region_id=sub.id, is_published=False, driver_id=first.id)
    assert not can_drive(first, planned_for_first)


def test_a_portal_shows_the_first_scope_of_the_role_and_refuses_a_user_without_one(app, db):
    producer = f.make_producer()
    staff, resident = f.make_user(role=Role.PRODUCER, scope_id=producer.id), f.make_user()
    with app.test_request_context():
        login_user(staff)
        assert first_scoped_or_403(Producer, Role.PRODUCER) is producer
        with pytest.raises(Forbidden):
            first_scoped_or_403(Region, Role.ADMIN)
    with app.test_request_context():
        login_user(resident)
        with pytest.raises(Forbidden):
            first_scoped_or_403(Producer, Role.PRODUCER)
