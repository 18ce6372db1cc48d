"""A small ordering world built from the factories: one sub-region with places, producers, goods."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from marketplace.catalog.models import Product, Temperature
from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.models import Order, OrderEvent
from tests import factories as f

# conftest's NOW is Monday 2 March 2026, 09:00 UTC. The world delivers on Tuesdays and Fridays
# with the cut-off at 18:00 Berlin time (17:00 UTC) the day before.
TUESDAY = date(2026, 3, 3)
FRIDAY = date(2026, 3, 6)
WEDNESDAY = date(2026, 3, 4)
MONDAY_CUTOFF = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
AFTER_MONDAY_CUTOFF = datetime(2026, 3, 2, 17, 0, 1, tzinfo=UTC)


@dataclass
class World:
    sub_region: object
    other_sub_region: object
    resident: object
    station: object            # ambient and chilled compartments, room for many orders a day
    ambient_station: object    # ambient compartments only
    sales_point: object        # no chilled shelf
    chilled_sales_point: object
    other_station: object      # in the other sub-region
    producer_a: object
    producer_b: object
    bread: Product             # producer A, ambient, stock 20, 4,50 €, 7 %
    milk: Product              # producer B, chilled, stock 10, 1,49 €, 7 %
    wine: Product              # producer B, ambient, stock 5, 12,90 €, 19 %
    cake: Product              # producer A, made to order
    ice: Product               # producer B, frozen, stock 5

    def station_choice(self, place=None) -> FulfilmentChoice:
        return FulfilmentChoice("station", (place or self.station).id)

    def sales_point_choice(self, place=None) -> FulfilmentChoice:
        return FulfilmentChoice("sales_point", (place or self.sales_point).id)


def make_world() -> World:
    region = f.make_region()
    sub = f.make_sub_region(region, door_delivery=True, door_fee_cents=390, door_min_order_cents=2500)
    f.make_schedule(sub, weekdays=(2, 5))
    f.make_door_window(sub, "08:00", "12:00")
    f.make_door_window(sub, "16:00", "20:00")
    other = f.make_sub_region(region)
    f.make_schedule(other, weekdays=(2, 5))
    municipality = f.make_municipality(sub)
    home = f.make_place(municipality)
    producer_a = f.make_producer(f.make_place(municipality))
    producer_b = f.make_producer(f.make_place(municipality))
    world = World(
        sub_region=sub, other_sub_region=other, resident=f.make_user(home=home),
        station=f.make_station(f.make_place(municipality), compartments=(
            ("S", "ambient", 6), ("M", "ambient", 4), ("L", "ambient", 4), ("M", "chilled", 6))),
        ambient_station=f.make_station(f.make_place(municipality), compartments=(("S", "ambient", 2),)),
        sales_point=f.make_sales_point(f.make_place(municipality), chilled=False),
        chilled_sales_point=f.make_sales_point(f.make_place(municipality), chilled=True),
        other_station=f.make_station(f.make_place(f.make_municipality(other))),
        producer_a=producer_a, producer_b=producer_b,
        bread=f.make_product(producer_a, name="Bauernbrot", price_cents=450, vat_rate=7, stock=20),
        milk=f.make_product(producer_b, name="Vollmilch", price_cents=149, vat_rate=7, stock=10,
                            temperature=Temperature.CHILLED),
        wine=f.make_product(producer_b, name="Riesling", price_cents=1290, vat_rate=19, stock=5),
        cake=f.make_product(producer_a, name="Streuselkuchen", price_cents=1250, stock=None),
        ice=f.make_product(producer_b, name="Eiscreme", price_cents=650, stock=5,
                           temperature=Temperature.FROZEN),
    )
    db.session.commit()
    return world


def stock_of(product_id: int) -> int | None:
    return db.session.scalar(select(Product.stock).where(Product.id == product_id))


def stocks(*products) -> dict[int, int | None]:
    db.session.expire_all()
    return {p.id: stock_of(p.id) for p in products}


def count_orders() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def count_events() -> int:
    return db.session.scalar(select(func.count()).select_from(OrderEvent))
