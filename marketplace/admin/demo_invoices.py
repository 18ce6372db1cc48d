"""Demo data of invoicing: every demo resident may pay by invoice, one buys for a Kita (Factur-X),
and both the demo resident and the Kita have a delivered invoice order of the demo producer
last month, so that the receipt, the open invoice with its reminder, Factur-X and the
producer's statement show something.

Idempotent: profiles are added where missing, the delivered order once (its idempotency key).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from marketplace.accounts.models import Membership, Role, User
from marketplace.catalog.models import Producer, Product
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.orders.checkout import FulfilmentChoice
from marketplace.orders.models import Order, OrderStatus, PaymentMethod
from marketplace.orders.transitions import move_order
from marketplace.payments.invoice_models import BillingProfile
from marketplace.payments.services import submit_order
from marketplace.pickup.models import PickupKind, PickupPlace
from marketplace.regions.schedule import list_sub_region_delivery_days

DEMO_RESIDENT = "resident@example.org"
DEMO_PRODUCER_USER = "producer@example.org"
KITA_RESIDENT = "bewohner-{slug}-01@example.org"
DELIVERED_KEY = "demo-invoicing-delivered"


def seed_invoicing(*, now: datetime, activity: bool) -> int:
    """Returns how many billing profiles were added; the delivered order only with `activity`
    (the living demo of `flask demo seed`, not the benchmark's counted orders)."""
    added = allow_residents_to_pay_by_invoice(now)
    db.session.flush()
    kita = _kita(now)
    if activity:
        for resident in (db.session.scalar(select(User).where(User.email == DEMO_RESIDENT)), kita):
            if resident is not None:
                _delivered_invoice_order(resident, now)
    db.session.flush()
    return added


def allow_residents_to_pay_by_invoice(now: datetime) -> int:
    """Every resident of the demo may pay by invoice (the coordinator's allowance); returns how
    many were allowed now."""
    ids = db.session.scalars(
        select(User.id).join(Membership, Membership.user_id == User.id)
        .outerjoin(BillingProfile, BillingProfile.user_id == User.id)
        .where(Membership.role == Role.RESIDENT, BillingProfile.user_id.is_(None))
    ).all()
    db.session.add_all(BillingProfile(user_id=i, may_pay_by_invoice=True, updated_at=now) for i in ids)
    return len(ids)


def _kita(now: datetime) -> User | None:
    """The first demo resident of the demo resident's sub-region buys for a Kita."""
    demo = db.session.scalar(select(User).where(User.email == DEMO_RESIDENT))
    sub_region = demo.home_sub_region if demo is not None else None
    if sub_region is None:
        return None
    user = db.session.scalar(select(User).where(User.email == KITA_RESIDENT.format(slug=sub_region.slug)))
    profile = db.session.get(BillingProfile, user.id) if user is not None else None
    if profile is not None and not profile.organisation:
        profile.organisation, profile.buyer_reference = "Kita Regenbogen", "07137000-KITA-01"
        profile.updated_at = now
    return user


def _delivered_invoice_order(resident: User, now: datetime) -> None:
    """An invoice order of the demo producer's goods, delivered and picked up last month."""
    producer_user = db.session.scalar(select(User).where(User.email == DEMO_PRODUCER_USER))
    if producer_user is None or resident.home_sub_region is None:
        return
    if db.session.scalar(select(Order.id).where(Order.resident_id == resident.id,
                                                Order.idempotency_key == DELIVERED_KEY)):
        return
    sub_region = resident.home_sub_region
    producer = db.session.get(Producer, producer_user.scopes(Role.PRODUCER)[0])
    products = db.session.scalars(
        select(Product).where(Product.producer_id == producer.id, Product.is_active,
                              (Product.stock.is_(None)) | (Product.stock >= 5))
        .order_by(Product.id)
    ).all()
    place = db.session.scalar(
        select(PickupPlace).where(PickupPlace.sub_region_id == sub_region.id,
                                  PickupPlace.kind == PickupKind.SALES_POINT, PickupPlace.is_approved)
        .order_by(PickupPlace.id)
    )
    if not products or place is None:
        return
    placed_at = now.replace(day=1) - timedelta(days=20)
    for day in list_sub_region_delivery_days(sub_region, now=placed_at, count=4):
        basket = [(p.id, max(p.min_quantity, 1)) for p in products if p.is_available_on(day.date)][:3]
        if not basket:
            continue
        try:
            with db.session.begin_nested():
                order, _ = submit_order(
                    resident=resident, items=basket, delivery_date=day.date, now=placed_at,
                    fulfilment=FulfilmentChoice("sales_point", place.id),
                    payment_method=PaymentMethod.INVOICE, idempotency_key=DELIVERED_KEY,
                )
                for status in (OrderStatus.PACKED, OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED,
                               OrderStatus.PICKED_UP):
                    move_order(order, status, now=day.cutoff_at + timedelta(hours=20))
        except DomainError:
            continue
        return
