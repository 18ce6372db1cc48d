"""Who drives a tour, in which vehicle: the coordinator's assignment, and the default when publishing.

A vehicle's trips of a day (its collection and distribution `Tour` rows in one sub-region) are
one tour for the driver: assigning a driver or swapping the vehicle applies to all of them.
"""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.accounts.queries import list_sub_region_drivers
from marketplace.delivery.models import Tour, Vehicle
from marketplace.delivery.services.errors import NotADriverHere, VehicleBusy, VehicleNotHere, VehicleTooSmall
from marketplace.extensions import db


def list_vehicle_trips(tour: Tour) -> list[Tour]:
    """The tour's vehicle's trips of the day in the tour's sub-region (the tour itself included)."""
    return list(db.session.scalars(select(Tour).where(
        Tour.delivery_date == tour.delivery_date, Tour.sub_region_id == tour.sub_region_id,
        Tour.vehicle_id == tour.vehicle_id).order_by(Tour.starts_at, Tour.id)))


def assign_tour(tour: Tour, *, driver: User | None, vehicle: Vehicle | None = None) -> list[Tour]:
    """Give the tour (all its vehicle's trips that day) to `driver` (None: nobody), in `vehicle` if given.

    Refuses a driver who does not drive in the tour's sub-region, a vehicle of another
    sub-region or out of service, one that already has trips that day, or one too small for the
    tour's load. Works before and after publishing. Flushes, the caller commits.
    """
    if driver is not None and tour.sub_region_id not in driver.scopes(Role.DRIVER):
        raise NotADriverHere()
    trips = list_vehicle_trips(tour)
    if vehicle is not None and vehicle.id != tour.vehicle_id:
        if vehicle.sub_region_id != tour.sub_region_id or not vehicle.is_active:
            raise VehicleNotHere()
        busy = db.session.scalar(select(Tour.id).where(
            Tour.delivery_date == tour.delivery_date, Tour.vehicle_id == vehicle.id).limit(1))
        if busy is not None:
            raise VehicleBusy()
        # Chilled room may hold ambient crates (as the planner loads it), frozen room only frozen ones.
        room = vehicle.capacities
        if any(t.load_chilled > room["chilled"] or t.load_frozen > room["frozen"]
               or t.load_ambient + t.load_chilled > room["ambient"] + room["chilled"] for t in trips):
            raise VehicleTooSmall()
        for trip in trips:
            trip.vehicle = vehicle
    for trip in trips:
        trip.driver = driver
    db.session.flush()
    return trips


def assign_only_driver(tours: list[Tour], sub_region_id: int) -> int:
    """When the sub-region has exactly one driver, the unassigned `tours` are theirs; returns how many."""
    drivers = list_sub_region_drivers(sub_region_id)
    if len(drivers) != 1:
        return 0
    unassigned = [t for t in tours if t.driver_id is None]
    for tour in unassigned:
        tour.driver = drivers[0]
    db.session.flush()
    return len(unassigned)
