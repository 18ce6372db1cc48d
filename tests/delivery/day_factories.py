"""Small hand-made delivery days: a sub-region with a hub, places on a line, vehicles and orders."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from marketplace.accounts.models import Role
from marketplace.catalog.models import Temperature
from marketplace.orders.models import (
    Order,
    OrderStatus,
)
from marketplace.regions.models import SubRegion
from tests import factories as f

# Tuesday: a delivery day in the default schedule (Tue, Fri), no holiday.
DAY = date(2026, 3, 3)
HUB = (50.30, 7.30)


def east(km: float, lat: float = HUB[0]) -> tuple[float, float]:
    """A point `km` east of the hub (1° of longitude ≈ 71.1 km at 50.3° N)."""
    return lat, HUB[1] + km / 71.1


make_vehicle = f.make_vehicle


@dataclass
class SmallDay:
    sub_region: SubRegion
    municipality: object
    hub: object
    producer: object
    products: dict = field(default_factory=dict)
    resident: object = None


def make_small_day(*, vehicles: int = 1, sub_region: SubRegion | None = None, hub_at=HUB, **vehicle_kw) -> SmallDay:
    sub_region = sub_region or f.make_sub_region(door_delivery=True)
    municipality = f.make_municipality(sub_region)
    hub = f.make_place(municipality, lat=hub_at[0], lon=hub_at[1], name=f"Lagerort {f._n()}")
    f.make_schedule(sub_region, hub=hub, service_seconds_per_stop=120, service_seconds_per_crate=0)
    producer = f.make_producer(place=hub)
    products = {
        t: f.make_product(producer, temperature=t, crate_units=Decimal("0.5"), stock=None)
        for t in Temperature
    }
    resident = f.make_user(home=hub)
    for _ in range(vehicles):
        make_vehicle(sub_region, **vehicle_kw)
    return SmallDay(sub_region, municipality, hub, producer, products, resident)


def make_station_at(small: SmallDay, point: tuple[float, float]):
    place = f.make_place(small.municipality, lat=point[0], lon=point[1])
    return f.make_station(place)


def make_order(small: SmallDay, *, place=None, door: tuple[float | None, float | None] | None = None,
               window: str | None = None, crates: dict | None = None, day: date = DAY,
               status: OrderStatus = OrderStatus.CONFIRMED) -> Order:
    """An order of `crates` per temperature class (each crate = 2 products of 0.5 units)."""
    crates = crates or {Temperature.AMBIENT: 1}
    lines = [(small.products[Temperature(t)], 2 * count) for t, count in crates.items()]
    return f.make_order(small.resident, lines, place=place, door=door, window=window, day=day,
                        status=status, cutoff_at=f_now(), sub_region=small.sub_region)


def f_now():
    from tests.conftest import NOW

    return NOW


def make_coordinator(sub_region: SubRegion, email: str):
    return f.make_user(email=email, role=Role.COORDINATOR, scope_id=sub_region.id)


def make_driver(sub_region: SubRegion, email: str):
    return f.make_user(email=email, role=Role.DRIVER, scope_id=sub_region.id)
