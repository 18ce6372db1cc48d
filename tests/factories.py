"""One factory function per model: small valid objects, flushed, with overridable fields."""
from __future__ import annotations

import itertools
from datetime import time
from decimal import Decimal

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import grant_role
from marketplace.catalog.models import Category, Producer, Product, Temperature, Unit
from marketplace.extensions import db
from marketplace.pickup.models import (
    Compartment,
    CompartmentSize,
    OpeningHours,
    ParcelStation,
    SalesPoint,
)
from marketplace.regions.models import DeliverySchedule, DoorWindow, Municipality, Place, Region, SubRegion

_seq = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery"


def _n() -> int:
    return next(_seq)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_region(**kw) -> Region:
    n = _n()
    return _save(Region(**{"slug": f"region-{n}", "name": f"Region {n}", **kw}))


def make_sub_region(region: Region | None = None, **kw) -> SubRegion:
    n = _n()
    region = region or make_region()
    return _save(SubRegion(**{"region": region, "slug": f"sub-{n}", "name": f"Teilregion {n}", **kw}))


def make_municipality(sub_region: SubRegion | None = None, **kw) -> Municipality:
    return _save(Municipality(**{"sub_region": sub_region or make_sub_region(), "name": f"VG {_n()}", **kw}))


def make_place(municipality: Municipality | None = None, **kw) -> Place:
    n = _n()
    fields = {
        "municipality": municipality or make_municipality(), "name": f"Dorf {n}",
        "lat": 50.3 + n * 0.001, "lon": 7.3 + n * 0.001, "kind": "village", "postcode": "56727",
    }
    return _save(Place(**{**fields, **kw}))


def make_schedule(sub_region: SubRegion, hub: Place | None = None, weekdays=(2, 5), **kw) -> DeliverySchedule:
    hub = hub or make_place(make_municipality(sub_region))
    schedule = DeliverySchedule(
        **{"sub_region": sub_region, "hub_place": hub, "cutoff_days_before": 1,
           "cutoff_time": time(18, 0), **kw}
    )
    schedule.weekdays = list(weekdays)
    return _save(schedule)


def make_door_window(sub_region: SubRegion, starts: str, ends: str) -> DoorWindow:
    return _save(DoorWindow(
        sub_region=sub_region, starts=time.fromisoformat(starts), ends=time.fromisoformat(ends)
    ))


def make_user(email: str | None = None, role: Role | None = Role.RESIDENT, scope_id: int | None = None,
              home: Place | None = None, **kw) -> User:
    n = _n()
    user = User(**{"email": email or f"user{n}@example.org", "name": f"Person {n}", **kw})
    user.set_password(TEST_PASSWORD, method="pbkdf2:sha256:1000")
    if home is not None:
        user.home_place = home
        user.home_lat, user.home_lon = home.lat, home.lon
        user.street, user.postcode, user.town = "Hauptstraße 1", home.postcode, home.name
    _save(user)
    if role is not None:
        grant_role(user, role, scope_id)
    return user


def make_category(**kw) -> Category:
    n = _n()
    return _save(Category(**{"slug": f"cat-{n}", "name": f"Kategorie {n}", **kw}))


def make_producer(place: Place | None = None, **kw) -> Producer:
    n = _n()
    fields = {"slug": f"hof-{n}", "name": f"Hof {n}", "place": place or make_place(), "is_approved": True}
    return _save(Producer(**{**fields, **kw}))


def make_product(producer: Producer | None = None, category: Category | None = None, **kw) -> Product:
    n = _n()
    fields = {
        "producer": producer or make_producer(), "category": category or make_category(),
        "name": f"Produkt {n}", "unit": Unit.PIECE, "price_cents": 250, "vat_rate": 7,
        "temperature": Temperature.AMBIENT, "crate_units": Decimal("0.1"), "stock": 20,
    }
    return _save(Product(**{**fields, **kw}))


def make_station(place: Place | None = None, compartments=(("S", "ambient", 2), ("M", "chilled", 1)), **kw) -> ParcelStation:
    place = place or make_place()
    station = ParcelStation(**{
        "name": f"Paketstation {_n()}", "place": place, "sub_region": place.municipality.sub_region,
        "street": "Marktplatz 1", "lat": place.lat, "lon": place.lon, "is_approved": True, **kw,
    })
    label = 0
    for size, temperature, count in compartments:
        for _ in range(count):
            label += 1
            station.compartments.append(Compartment(
                label=f"{label:02d}", size=CompartmentSize(size), temperature=Temperature(temperature)
            ))
    return _save(station)


def make_sales_point(place: Place | None = None, chilled: bool = False,
                     hours=((1, "08:00", "12:00"), (2, "08:00", "12:00"), (5, "14:00", "18:00")), **kw) -> SalesPoint:
    place = place or make_place()
    point = SalesPoint(**{
        "name": f"Dorfladen {_n()}", "place": place, "sub_region": place.municipality.sub_region,
        "street": "Kirchstraße 2", "lat": place.lat, "lon": place.lon, "is_approved": True,
        "has_chilled_shelf": chilled, **kw,
    })
    for weekday, opens, closes in hours:
        point.opening_hours.append(OpeningHours(
            weekday=weekday, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes)
        ))
    return _save(point)
