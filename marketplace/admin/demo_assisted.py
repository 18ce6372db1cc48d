"""The demo's assisted ordering: Renate Klein at the Dorfladen Kehrig serves Erna Weber, who has
no e-mail address, with an order on the next open delivery day placed for her (pay on pickup).
Idempotent: Erna is created once, and one order per open day at most."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.catalog.models import Product, Temperature
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice, list_open_delivery_days
from marketplace.orders.models import Order
from marketplace.payments import assisted
from marketplace.pickup.models import PickupPlace

STAFF_EMAIL = "salespoint@example.org"
RESIDENT = {"name": "Erna Weber", "phone": None, "street": "Lindenweg 4", "channel": "slip"}


def _erna(staff: User, now: datetime) -> User:
    found = db.session.scalars(select(User).where(User.email.is_(None), User.name == RESIDENT["name"])).first()
    if found is not None:
        return found
    place = db.session.get(PickupPlace, staff.scopes(Role.SALES_POINT_STAFF)[0]).place
    return assisted.register_assisted_resident(
        staff=staff, postcode=place.postcode, town=place.name, given_by="in_person",
        text_version=assisted.CURRENT_CONSENT_VERSION, now=now, **RESIDENT,
    )


def seed_assisted_orders(now: datetime) -> int:
    """Erna and her order on the next open day; the number of orders added (0 or 1)."""
    staff = db.session.scalars(select(User).where(User.email == STAFF_EMAIL)).first()
    if staff is None or not staff.scopes(Role.SALES_POINT_STAFF):
        return 0
    erna = _erna(staff, now)
    sales_point = db.session.get(PickupPlace, staff.scopes(Role.SALES_POINT_STAFF)[0])
    days = list_open_delivery_days(erna.home_sub_region, now)
    if not days:
        return 0
    day = days[0].date
    if db.session.scalar(select(Order.id).where(Order.resident_id == erna.id, Order.delivery_date == day)):
        return 0
    goods = [
        p for p in db.session.scalars(
            select(Product).where(Product.is_active.is_(True), Product.temperature == Temperature.AMBIENT)
            .order_by(Product.id)
        )
        if p.is_available_on(day) and (p.stock is None or p.stock > 5)
    ][:2]
    if not goods:
        return 0
    try:
        with db.session.begin_nested():
            assisted.place_assisted_order(
                staff=staff, resident=erna, now=now, payment_method="pay_on_pickup",
                items=[(p.id, 1) for p in goods], delivery_date=day,
                fulfilment=FulfilmentChoice("sales_point", sales_point.id),
            )
    except DomainError:
        return 0  # the demo's sales point is closed that day or the goods ran out: nothing added
    return 1
