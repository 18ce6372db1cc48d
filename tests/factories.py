"""One factory function per model: small valid objects, flushed, with overridable fields."""
from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from marketplace.accounts.models import Role, User
from marketplace.accounts.services import grant_role
from marketplace.catalog.models import Category, Producer, Product, Temperature, Unit
from marketplace.core.ids import order_number
from marketplace.delivery.models import StopKind, Tour, TourKind, TourStatus, TourStop, TourStopOrder, Vehicle
from marketplace.extensions import db
from marketplace.orders.models import (
    Fulfilment,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    ProducerOrder,
)
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


def make_vehicle(sub_region: SubRegion, **kw) -> Vehicle:
    fields = {"name": f"Transporter {_n()}", "capacity_ambient": 40, "capacity_chilled": 12,
              "capacity_frozen": 4, "shift_start": time(7, 0), "shift_end": time(15, 0),
              "cost_per_km_cents": 35, "cost_per_hour_cents": 0}
    return _save(Vehicle(sub_region=sub_region, **{**fields, **kw}))


def make_order(resident: User, lines, *, place=None, door: tuple[float | None, float | None] | None = None,
               day: date = date(2026, 3, 3), status: OrderStatus = OrderStatus.CONFIRMED,
               cutoff_at: datetime = datetime(2026, 3, 2, 17, 0, tzinfo=UTC), window: str | None = None,
               sub_region: SubRegion | None = None, **kw) -> Order:
    """An order as it stands after checkout, without going through it: `lines` are (product,
    quantity) pairs at the products' prices, one producer order per producer. Tests of what
    happens after ordering (planning, packing, driving) use it; `place_order` has tests of its own."""
    sub_region = sub_region or (place.sub_region if place is not None else resident.home_sub_region)
    order = Order(**{
        "number": order_number(), "resident_id": resident.id, "sub_region_id": sub_region.id,
        "delivery_date": day, "cutoff_at": cutoff_at, "status": status,
        "fulfilment": Fulfilment.DOOR if door else Fulfilment(place.kind.value),
        "pickup_place_id": None if door else place.id, "payment_method": PaymentMethod.PAY_ON_PICKUP,
        "items_total_cents": 0, "total_cents": 0, **kw,
    })
    if door:
        order.door_lat, order.door_lon = door
        order.door_street, order.door_postcode, order.door_town = "Feldweg 3", "56727", "Dorf"
        order.door_window = window
    by_producer: dict[int, ProducerOrder] = {}
    for product, quantity in lines:
        producer_order = by_producer.get(product.producer_id)
        if producer_order is None:
            producer_order = by_producer[product.producer_id] = ProducerOrder(
                producer_id=product.producer_id, items_total_cents=0)
            order.producer_orders.append(producer_order)
        line = OrderLine(product_id=product.id, product_name=product.name, unit=product.unit,
                         temperature=product.temperature, crate_units=product.crate_units,
                         quantity=quantity, unit_price_cents=product.price_cents,
                         vat_rate=product.vat_rate, total_cents=quantity * product.price_cents,
                         producer_order=producer_order)
        order.lines.append(line)
        producer_order.items_total_cents += line.total_cents
    order.items_total_cents = order.total_cents = sum(line.total_cents for line in order.lines)
    order.events.append(OrderEvent(at=cutoff_at, kind="placed", to_status=status))
    return _save(order)


def make_tour(vehicle: Vehicle, stops=(), *, day: date = date(2026, 3, 3),
              status: TourStatus = TourStatus.PUBLISHED, kind: TourKind = TourKind.DISTRIBUTION) -> Tour:
    """A tour of `vehicle` with drop stops at `stops` (pickup places, or (order, place) pairs)."""
    start = datetime.combine(day, vehicle.shift_start, tzinfo=UTC)
    tour = Tour(sub_region_id=vehicle.sub_region_id, delivery_date=day, vehicle=vehicle, kind=kind,
                status=status, starts_at=start, ends_at=start + timedelta(hours=2), planned_at=start,
                published_at=start if status == TourStatus.PUBLISHED else None)
    for sequence, stop in enumerate(stops, start=1):
        order, place = stop if isinstance(stop, tuple) else (None, stop)
        at = start + timedelta(minutes=20 * sequence)
        tour_stop = TourStop(sequence=sequence, kind=StopKind.DROP, pickup_place_id=place.id,
                             label=place.name, lat=place.lat, lon=place.lon, planned_arrival=at,
                             planned_departure=at + timedelta(minutes=5))
        if order is not None:
            tour_stop.orders.append(TourStopOrder(order_id=order.id, load_ambient=1))
        tour.stops.append(tour_stop)
    return _save(tour)


def make_notification(recipient: User | None = None, kind: str = "order_placed", channel: str = "email",
                      **kw):
    """A queued outbox row with the order kinds' sample context, due at conftest's NOW."""
    from marketplace.notifications.kinds import get_kind
    from marketplace.notifications.models import Notification
    from tests.conftest import NOW

    recipient = recipient or make_user()
    address = {"email": recipient.email, "sms": recipient.phone or "+4915123456789", "slip": ""}[channel]
    fields = {
        "kind": kind, "channel": channel, "recipient": recipient, "address": address,
        "context": dict(get_kind(kind).sample), "state": "queued", "attempts": 0,
        "due_at": NOW, "created_at": NOW,
    }
    return _save(Notification(**{**fields, **kw}))
