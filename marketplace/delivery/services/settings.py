"""A sub-region's delivery settings: schedule, vehicles, door-delivery windows."""
from __future__ import annotations

from datetime import time

from sqlalchemy import select

from marketplace.catalog.models import Producer
from marketplace.delivery.models import (
    ProducerDropoff,
    Vehicle,
)
from marketplace.delivery.services.errors import (
    HubOutsideSubRegion,
    InvalidSetting,
    ShiftEndsBeforeStart,
    VehicleNameTaken,
    WindowTaken,
)
from marketplace.extensions import db
from marketplace.regions.models import DeliverySchedule, DoorWindow, Municipality, Place, SubRegion


def update_schedule(
    sub_region: SubRegion, *, weekdays: list[int], cutoff_days_before: int, cutoff_time: time,
    hub_place: Place, service_seconds_per_stop: int, service_seconds_per_crate: int,
    dropoff_by: time | None = None, dropoff_producer_ids: list[int] | None = None,
) -> DeliverySchedule:
    """Set the delivery days, cut-off, hub, service times and producers' drop-off time of `sub_region`.

    `dropoff_producer_ids`: the producers (of the region) who bring their goods for the
    sub-region's orders to its hub by `dropoff_by`; None leaves them as they are.
    """
    if hub_place.municipality.sub_region_id != sub_region.id:
        raise HubOutsideSubRegion()
    if not 0 <= cutoff_days_before <= 14 or service_seconds_per_stop < 0 or service_seconds_per_crate < 0:
        raise InvalidSetting()
    schedule = sub_region.schedule
    if schedule is None:
        schedule = DeliverySchedule(sub_region=sub_region, hub_place=hub_place)
        db.session.add(schedule)
    try:
        schedule.weekdays = weekdays
    except ValueError:
        raise InvalidSetting() from None
    schedule.cutoff_days_before = cutoff_days_before
    schedule.cutoff_time = cutoff_time
    schedule.hub_place = hub_place
    schedule.service_seconds_per_stop = service_seconds_per_stop
    schedule.service_seconds_per_crate = service_seconds_per_crate
    schedule.dropoff_by = dropoff_by
    if dropoff_producer_ids is not None:
        _set_dropoff_producers(sub_region, set(dropoff_producer_ids))
    db.session.flush()
    return schedule


def _set_dropoff_producers(sub_region: SubRegion, producer_ids: set[int]) -> None:
    in_region = set(db.session.scalars(
        select(Producer.id).join(Place, Producer.place_id == Place.id).join(Municipality).join(SubRegion)
        .where(SubRegion.region_id == sub_region.region_id, Producer.id.in_(producer_ids))))
    if in_region != producer_ids:
        raise InvalidSetting()
    rows = db.session.scalars(select(ProducerDropoff).where(ProducerDropoff.sub_region_id == sub_region.id)).all()
    for row in rows:
        if row.producer_id not in producer_ids:
            db.session.delete(row)
    for producer_id in producer_ids - {row.producer_id for row in rows}:
        db.session.add(ProducerDropoff(sub_region_id=sub_region.id, producer_id=producer_id))


def save_vehicle(
    sub_region: SubRegion, *, vehicle: Vehicle | None = None, name: str, capacity_ambient: int,
    capacity_chilled: int, capacity_frozen: int, shift_start: time, shift_end: time,
    cost_per_km_cents: int, cost_per_hour_cents: int,
) -> Vehicle:
    """Add a vehicle to `sub_region`, or change `vehicle`."""
    name = name.strip()
    if shift_start >= shift_end:
        raise ShiftEndsBeforeStart()
    if not name or min(capacity_ambient, capacity_chilled, capacity_frozen,
                       cost_per_km_cents, cost_per_hour_cents) < 0:
        raise InvalidSetting()
    clash = db.session.scalars(select(Vehicle.id).where(
        Vehicle.sub_region_id == sub_region.id, Vehicle.name == name,
        Vehicle.id != (vehicle.id if vehicle else -1),
    )).first()
    if clash is not None:
        raise VehicleNameTaken()
    if vehicle is None:
        vehicle = Vehicle(sub_region=sub_region, is_active=True)
        db.session.add(vehicle)
    vehicle.name = name
    vehicle.capacity_ambient, vehicle.capacity_chilled = capacity_ambient, capacity_chilled
    vehicle.capacity_frozen = capacity_frozen
    vehicle.shift_start, vehicle.shift_end = shift_start, shift_end
    vehicle.cost_per_km_cents, vehicle.cost_per_hour_cents = cost_per_km_cents, cost_per_hour_cents
    db.session.flush()
    return vehicle


def set_vehicle_active(vehicle: Vehicle, active: bool) -> Vehicle:
    """Deactivated vehicles keep their past tours but are not planned any more."""
    vehicle.is_active = active
    db.session.flush()
    return vehicle


def add_door_window(sub_region: SubRegion, *, starts: time, ends: time) -> DoorWindow:
    if starts >= ends:
        raise ShiftEndsBeforeStart()
    exists = db.session.scalars(select(DoorWindow.id).where(
        DoorWindow.sub_region_id == sub_region.id, DoorWindow.starts == starts, DoorWindow.ends == ends,
    )).first()
    if exists is not None:
        raise WindowTaken()
    window = DoorWindow(sub_region=sub_region, starts=starts, ends=ends)
    db.session.add(window)
    db.session.flush()
    return window


def remove_door_window(window: DoorWindow) -> None:
    db.session.delete(window)
    db.session.flush()


def parse_window(value: str | None) -> tuple[float, float] | None:
    """"08:00-12:00" (or with an en dash) → seconds since midnight; None if empty or unreadable."""
    if not value:
        return None
    parts = value.replace("–", "-").split("-")
    try:
        start, end = (time.fromisoformat(p.strip()) for p in parts)
    except ValueError:
        return None
    return (_seconds(start), _seconds(end)) if start < end else None


def _seconds(at: time) -> float:
    return at.hour * 3600 + at.minute * 60 + at.second


