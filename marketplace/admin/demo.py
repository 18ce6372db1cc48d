"""The demo region: idempotent seed from the district's place list, scalable for benchmarks."""
from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Membership, Role, User
from marketplace.admin import demo_data as data
from marketplace.admin.demo_assisted import seed_assisted_orders
from marketplace.admin.demo_capacity import seed_capacity
from marketplace.admin.demo_dashboard import seed_waiting_station
from marketplace.admin.demo_dropoffs import seed_hub_dropoffs
from marketplace.admin.demo_invoices import seed_invoicing
from marketplace.admin.demo_onboarding import seed_onboarding
from marketplace.admin.demo_orders import ActivityReport, seed_activity
from marketplace.admin.demo_packing import seed_packing_catalogue, seed_packing_lists
from marketplace.admin.demo_region_setup import seed_region_setup
from marketplace.admin.demo_searches import seed_unanswered_searches
from marketplace.admin.demo_stations import plan_demo_compartments
from marketplace.catalog.models import Category, Producer, Product, Temperature, Unit
from marketplace.catalog.versions import bump_catalog_version
from marketplace.core.ids import order_number, slugify
from marketplace.delivery.models import Vehicle
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
    PickupPlace,
    SalesPoint,
)
from marketplace.regions.geo import nearest_postcode
from marketplace.regions.models import DeliverySchedule, DoorWindow, Municipality, Place, Region, SubRegion
from marketplace.regions.schedule import list_sub_region_delivery_days

PLACES_CSV = Path(__file__).resolve().parents[1] / "regions" / "data" / "mayen-koblenz.csv"
REGION_SLUG = "mayen-koblenz"


@dataclass
class SeedReport:
    created_region: bool = False
    products_added: int = 0
    residents_added: int = 0
    orders_added: int = 0
    staff_added: int = 0
    activity: ActivityReport | None = None
    assisted_orders_added: int = 0


def seed_demo(
    *, now: datetime, products: int = 0, residents: int = 0, orders: int = 0,
    password_hash_method: str = "scrypt", activity: bool = False, plan_seconds: float = 1.0,
    solver_workers: int | None = 1, osrm_url: str | None = None,
) -> SeedReport:
    """Create the demo region if missing, then top up products/residents/orders to the given totals.

    With `activity` (what `flask demo seed` does) the region comes alive around `now`: demo
    residents' orders on the coming delivery days and a closed day planned and published
    (`demo_orders.seed_activity`, the planner given `plan_seconds` per problem).
    """
    report = SeedReport()
    password = _PasswordHash(password_hash_method)
    region = db.session.scalars(select(Region).where(Region.slug == REGION_SLUG)).first()
    if region is None:
        region = _seed_region(password)
        report.created_region = True
    report.staff_added = _ensure_sub_region_staff(password)
    seed_onboarding(now=now, password_hash_method=password_hash_method)
    report.products_added = _top_up_products(products)
    seed_packing_catalogue()
    report.residents_added = _top_up_residents(region, residents, password)
    report.orders_added = _top_up_orders(region, orders, now)
    seed_waiting_station()  # the coordinator's dashboard: a new station waiting for approval
    seed_unanswered_searches(now)  # and searches without result
    seed_capacity()
    seed_hub_dropoffs()
    seed_region_setup(region, now)
    if activity:
        report.activity = seed_activity(
            now=now, password_hash=password.value, plan_seconds=plan_seconds,
            solver_workers=solver_workers, osrm_url=osrm_url,
        )
        report.assisted_orders_added = seed_assisted_orders(now)
        seed_packing_lists(now)
    plan_demo_compartments()
    seed_invoicing(now=now, activity=activity)
    db.session.flush()
    bump_catalog_version()  # cached catalogue pages show the seeded products and stock
    return report


class _PasswordHash:
    """The demo password hashed once per seed, when first needed: every demo account shares it
    (one scrypt hash costs about 0.1 s; the demo has dozens of accounts)."""

    def __init__(self, method: str) -> None:
        self.method = method
        self._value: str | None = None

    @property
    def value(self) -> str:
        if self._value is None:
            template = User(email="x@example.org", name="x")
            template.set_password(data.DEMO_PASSWORD, method=self.method)
            self._value = template.password_hash
        return self._value


def staff_emails(sub_region_name: str, slug: str) -> tuple[str, str]:
    """The demo coordinator's and driver's e-mail of a sub-region (Eifel: the short ones)."""
    if sub_region_name == "Eifel":
        return "coordinator@example.org", "driver@example.org"
    return f"coordinator-{slug}@example.org", f"driver-{slug}@example.org"


def _ensure_sub_region_staff(password: _PasswordHash) -> int:
    """A demo coordinator and driver for every sub-region of the demo; the missing ones created."""
    added = 0
    for sub in db.session.scalars(select(SubRegion).order_by(SubRegion.id)):
        names = data.STAFF.get(sub.name)
        if names is None:
            continue
        for email, name, role in zip(staff_emails(sub.name, sub.slug), names,
                                     (Role.COORDINATOR, Role.DRIVER), strict=True):
            user = db.session.scalars(select(User).where(User.email == email)).first()
            if user is None:
                user = User(email=email, name=name, phone="02651 12345", password_hash=password.value)
                db.session.add(user)
                added += 1
            accounts.grant_role(user, role, sub.id)
    return added


def _seed_region(password: _PasswordHash) -> Region:
    region = Region(slug=REGION_SLUG, name="Landkreis Mayen-Koblenz", platform_fee_permille=100)
    db.session.add(region)
    places: dict[str, Place] = {}
    sub_regions: dict[str, SubRegion] = {}
    municipalities: dict[str, Municipality] = {}
    with PLACES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sub = sub_regions.get(row["sub_region"])
            if sub is None:
                hub, _, door = data.SCHEDULES[row["sub_region"]]
                sub = SubRegion(
                    region=region, slug=slugify(row["sub_region"]), name=row["sub_region"],
                    door_delivery=door, door_fee_cents=390 if door else 0,
                    door_min_order_cents=2500 if door else 0,
                )
                sub_regions[row["sub_region"]] = sub
            municipality = municipalities.get(row["kommune"])
            if municipality is None:
                municipality = Municipality(sub_region=sub, name=row["kommune"])
                municipalities[row["kommune"]] = municipality
            lat, lon = float(row["lat"]), float(row["lon"])
            places[row["place"]] = Place(
                municipality=municipality, name=row["place"], kind=row["kind"], lat=lat, lon=lon,
                postcode=nearest_postcode(lat, lon),
            )
    db.session.add_all(places.values())
    db.session.flush()

    for name, (hub, weekdays, _) in data.SCHEDULES.items():
        schedule = DeliverySchedule(
            sub_region=sub_regions[name], hub_place=places[hub],
            cutoff_days_before=1, cutoff_time=time(18, 0),
        )
        schedule.weekdays = weekdays
        db.session.add(schedule)

    categories = {}
    for position, (slug, name) in enumerate(data.CATEGORIES):
        categories[slug] = Category(slug=slug, name=name, position=position)
    db.session.add_all(categories.values())

    producers = []
    for name, place_name, description, goods in data.PRODUCERS:
        producer = Producer(
            slug=slugify(name), name=name, description=description, place=places[place_name],
            street="Hofweg 1", is_approved=True,
        )
        producers.append(producer)
        for number, (pname, unit, price, vat, temp, stock, crate, weight, organic, cat) in enumerate(goods, 1):
            db.session.add(Product(
                producer=producer, category=categories[cat], name=pname, unit=Unit(unit),
                article_number=f"{number:03d}",
                price_cents=price, vat_rate=vat, temperature=Temperature(temp), stock=stock,
                crate_units=Decimal(crate), unit_weight_g=weight, is_organic=organic,
                description=f"{pname} von {name}.",
            ))
    db.session.add_all(producers)

    stations = []
    for name, place_name, street, layout in data.STATIONS:
        place = places[place_name]
        station = ParcelStation(
            name=name, place=place, sub_region=place.municipality.sub_region, street=street,
            lat=place.lat, lon=place.lon, is_approved=True,
        )
        number = 0
        for size, temperature, count in layout:
            for _ in range(count):
                number += 1
                station.compartments.append(Compartment(
                    label=f"{number:02d}", size=CompartmentSize(size),
                    temperature=Temperature(temperature),
                ))
        stations.append(station)
    db.session.add_all(stations)

    sales_points = []
    for name, place_name, street, chilled, hours, contact in data.SALES_POINTS:
        place = places[place_name]
        point = SalesPoint(
            name=name, place=place, sub_region=place.municipality.sub_region, street=street,
            lat=place.lat + 0.0007, lon=place.lon + 0.0009, is_approved=True,
            has_chilled_shelf=chilled, contact_name=contact, contact_phone="02651 00000",
        )
        for weekday, opens, closes in hours:
            point.opening_hours.append(OpeningHours(
                weekday=weekday, opens=time.fromisoformat(opens), closes=time.fromisoformat(closes),
            ))
        sales_points.append(point)
    db.session.add_all(sales_points)
    db.session.flush()

    _seed_vehicles(sub_regions)
    _seed_demo_accounts(region, places, producers, stations, sales_points, password)
    return region


def _seed_vehicles(sub_regions: dict[str, SubRegion]) -> None:
    """One cooled van per sub-region; door windows where the sub-region delivers to the door."""
    for sub in sub_regions.values():
        db.session.add(Vehicle(
            sub_region=sub, name=f"Transporter {sub.name}", capacity_ambient=40,
            capacity_chilled=12, capacity_frozen=4, shift_start=time(7, 0), shift_end=time(15, 0),
        ))
        if sub.door_delivery:
            for starts, ends in ((time(9, 0), time(12, 0)), (time(12, 0), time(15, 0))):
                db.session.add(DoorWindow(sub_region=sub, starts=starts, ends=ends))


def _seed_demo_accounts(region, places, producers, stations, sales_points, password):
    kehrig = places["Kehrig"]
    people = [
        ("resident@example.org", "Gisela Schmitz", Role.RESIDENT, None),
        ("producer@example.org", "Hans Schmitz", Role.PRODUCER, producers[0].id),
        ("operator@example.org", "Oliver Brandt", Role.OPERATOR, stations[0].id),
        ("salespoint@example.org", "Renate Klein", Role.SALES_POINT_STAFF, sales_points[0].id),
        ("admin@example.org", "Andreas Admin", Role.ADMIN, region.id),
    ]
    for email, name, role, scope in people:
        user = User(email=email, name=name, phone="02651 12345", password_hash=password.value)
        db.session.add(user)
        accounts.grant_role(user, role, scope)
        if role == Role.RESIDENT:
            user.street, user.postcode, user.town = "Hauptstraße 20", kehrig.postcode, kehrig.name
            user.home_place = kehrig
            user.home_lat, user.home_lon = kehrig.lat + 0.001, kehrig.lon - 0.001


def _top_up_products(target: int) -> int:
    """Bulk-insert generated products until the catalogue holds `target` (fast for 100,000)."""
    have = db.session.scalar(select(func.count()).select_from(Product)) or 0
    missing = target - have
    if missing <= 0:
        return 0
    producer_ids = list(db.session.scalars(select(Producer.id).order_by(Producer.id)))
    category_ids = list(db.session.scalars(select(Category.id).order_by(Category.id)))
    rng = random.Random(have)
    adjectives = ["Hausgemachte", "Frische", "Regionale", "Feine", "Herzhafte", "Milde", "Würzige"]
    nouns = ["Marmelade", "Wurst", "Käsescheiben", "Brotzeit", "Suppe", "Kekse", "Saft", "Nudeln"]
    batch: list[dict] = []
    for i in range(missing):
        n = have + i
        batch.append({
            "producer_id": producer_ids[n % len(producer_ids)],
            "category_id": category_ids[n % len(category_ids)],
            "name": f"{rng.choice(adjectives)} {rng.choice(nouns)} Nr. {n}",
            "description": "",
            "unit": Unit.PIECE, "price_cents": rng.randint(99, 2999), "vat_rate": rng.choice((7, 7, 19)),
            "temperature": rng.choice((Temperature.AMBIENT, Temperature.AMBIENT, Temperature.CHILLED)),
            "crate_units": Decimal("0.05"), "stock": rng.randint(0, 200), "is_organic": n % 5 == 0,
            "is_active": True, "available_weekday_mask": 127,
        })
        if len(batch) == 5000:
            db.session.execute(insert(Product), batch)
            batch = []
    if batch:
        db.session.execute(insert(Product), batch)
    return missing


def _top_up_residents(region: Region, target: int, password: _PasswordHash) -> int:
    have = db.session.scalar(select(func.count()).select_from(User).where(User.email.like("resident%@example.org"))) or 0
    missing = target - have
    if missing <= 0:
        return 0
    places = list(db.session.scalars(select(Place).order_by(Place.id)))
    rng = random.Random(have)
    rows = []
    for i in range(missing):
        n = have + i
        place = places[n % len(places)]
        rows.append({
            "email": f"resident{n}@example.org", "password_hash": password.value,
            "name": f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
            "locale": "de", "active": True,
            "street": f"{rng.choice(data.STREETS)} {rng.randint(1, 80)}", "postcode": place.postcode,
            "town": place.name, "home_place_id": place.id,
            "home_lat": place.lat + rng.uniform(-0.004, 0.004),
            "home_lon": place.lon + rng.uniform(-0.006, 0.006),
        })
    db.session.execute(insert(User), rows)
    user_ids = db.session.scalars(
        select(User.id).where(User.email.in_([r["email"] for r in rows]))
    ).all()
    db.session.execute(insert(Membership), [{"user_id": uid, "role": Role.RESIDENT} for uid in user_ids])
    return missing


def _top_up_orders(region: Region, target: int, now: datetime) -> int:
    """Generated confirmed orders on the next two delivery days of each sub-region, cut-off passed
    or not (no stock taken: benchmark data)."""
    have = db.session.scalar(select(func.count()).select_from(Order)) or 0
    missing = target - have
    if missing <= 0:
        return 0
    residents = db.session.execute(
        select(User.id, Place.id, Municipality.sub_region_id)
        .join(Place, User.home_place_id == Place.id)
        .join(Municipality, Place.municipality_id == Municipality.id)
        .order_by(User.id)
    ).all()
    if not residents:
        raise ValueError("orders need residents: pass --residents too")
    pickups = {}
    for place in db.session.scalars(select(PickupPlace)):
        pickups.setdefault(place.sub_region_id, []).append(place)
    days = {}
    for schedule in db.session.scalars(select(DeliverySchedule)):
        # The next two delivery days, also one whose cut-off has passed: the orders stand for
        # ones placed earlier, and that day is the one a coordinator plans first (at any hour).
        days[schedule.sub_region_id] = list_sub_region_delivery_days(
            schedule.sub_region, now=now, count=2, include_closed=True,
        )
    products = db.session.execute(
        select(Product.id, Product.producer_id, Product.name, Product.unit, Product.temperature,
               Product.crate_units, Product.price_cents, Product.vat_rate)
        .where(Product.is_active.is_(True), Product.temperature == Temperature.AMBIENT)
        .order_by(Product.id).limit(500)
    ).all()
    rng = random.Random(have)
    for i in range(missing):
        user_id, _, sub_region_id = residents[(have + i) % len(residents)]
        day = rng.choice(days[sub_region_id])
        place = rng.choice(pickups[sub_region_id])
        chosen = rng.sample(products, k=min(len(products), rng.randint(1, 4)))
        order = Order(
            number=order_number(), resident_id=user_id, sub_region_id=sub_region_id,
            delivery_date=day.date, cutoff_at=day.cutoff_at, status=OrderStatus.CONFIRMED,
            fulfilment=Fulfilment(place.kind.value), pickup_place_id=place.id,
            payment_method=PaymentMethod.PAY_ON_PICKUP, items_total_cents=0, total_cents=0,
            created_at=now,
        )
        by_producer: dict[int, ProducerOrder] = {}
        total = 0
        for p in chosen:
            qty = rng.randint(1, 3)
            po = by_producer.get(p.producer_id)
            if po is None:
                po = ProducerOrder(producer_id=p.producer_id, items_total_cents=0)
                by_producer[p.producer_id] = po
                order.producer_orders.append(po)
            line = OrderLine(
                product_id=p.id, product_name=p.name, unit=p.unit, temperature=p.temperature,
                crate_units=p.crate_units, quantity=qty, unit_price_cents=p.price_cents,
                vat_rate=p.vat_rate, total_cents=qty * p.price_cents, producer_order=po,
            )
            order.lines.append(line)
            po.items_total_cents += line.total_cents
            total += line.total_cents
        order.items_total_cents = order.total_cents = total
        order.events.append(OrderEvent(at=now, kind="seeded", to_status=OrderStatus.CONFIRMED))
        db.session.add(order)
        if i % 500 == 499:
            db.session.flush()
    return missing
