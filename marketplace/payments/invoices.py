"""Issuing the invoices of a confirmed order, each with its seller's next gap-free number.

When an order is confirmed (by whichever provider: `move_order` calls the hook registered
below), each producer invoices its own goods to the resident, the platform invoices the
delivery fee to the resident, and the platform invoices its fee to each producer. All in the
transaction that confirms the order: a rollback takes the numbers back with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.catalog.models import Producer, VatStatus
from marketplace.core.clock import local_today
from marketplace.core.money import split_share
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.transitions import on_enter
from marketplace.payments.invoice_models import (
    BillingProfile,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
)

PLATFORM_VAT_RATE = 19  # delivery and the platform's fee are services at the standard rate


@dataclass(frozen=True)
class Party:
    name: str
    address: str = ""
    organisation: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class LineValues:
    description: str
    quantity: int
    unit_price_cents: int
    vat_rate: int
    order_line_id: int | None = None


def series_of(producer_id: int | None, *, credit: bool = False) -> str:
    """A producer's series ("producer-12"), or the platform's (None)."""
    base = "platform" if producer_id is None else f"producer-{producer_id}"
    return f"{base}-credit" if credit else base


def next_number(series: str, year: int) -> int:
    """The next number of a series and year, taken in the caller's transaction.

    The UPDATE locks the counter row until the commit (PostgreSQL's row lock, SQLite's write
    lock), so a concurrent document waits and gets the number after; a rollback gives it back.
    The first document of a year creates the row; two creating it at once meet the unique
    constraint, and the loser counts on the winner's row."""
    # A Core statement on the table: no ORM bookkeeping and no autoflush of the documents the
    # caller is still building, which it flushes together.
    counters = InvoiceCounter.__table__
    take = (
        update(counters)
        .where(counters.c.series == series, counters.c.year == year)
        .values(last_number=counters.c.last_number + 1)
        .returning(counters.c.last_number)
    )
    number = db.session.execute(take).scalar()
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(InvoiceCounter(series=series, year=year, last_number=0))
        except IntegrityError:
            pass
        number = db.session.execute(take).scalar_one()
    return number


def platform_party() -> Party:
    config = current_app.config
    return Party(config.get("PLATFORM_NAME", "Landkorb"), config.get("PLATFORM_ADDRESS", ""))


def producer_party(producer: Producer) -> Party:
    place = producer.place
    town = " ".join(part for part in (place.postcode, place.name) if part)
    return Party(producer.name, "\n".join(part for part in (producer.street, town) if part))


def resident_party(resident: User) -> Party:
    profile = db.session.get(BillingProfile, resident.id)
    town = " ".join(part for part in (resident.postcode, resident.town) if part)
    return Party(
        resident.name, "\n".join(part for part in (resident.street, town) if part),
        organisation=profile.organisation if profile else None,
        reference=profile.buyer_reference if profile else None,
    )


def new_invoice(
    *, kind: InvoiceKind, series: str, order: Order, seller: Party, buyer: Party,
    lines: list[LineValues], now: datetime, producer_id: int | None = None,
    buyer_user_id: int | None = None, small_business: bool = False,
    refers_to: Invoice | None = None, reason: str = "", flush: bool = True,
) -> Invoice:
    """One document with the next number of its series; flushes unless `flush=False` (the
    caller writes several and flushes once)."""
    year = local_today(now).year
    invoice = Invoice(
        kind=kind, series=series, year=year, number=next_number(series, year), order_id=order.id,
        producer_id=producer_id, buyer_user_id=buyer_user_id, refers_to=refers_to, issued_at=now,
        seller_name=seller.name, seller_address=seller.address, buyer_name=buyer.name,
        buyer_address=buyer.address, buyer_organisation=buyer.organisation,
        buyer_reference=buyer.reference, is_small_business=small_business,
        total_cents=sum(line.quantity * line.unit_price_cents for line in lines), reason=reason,
    )
    for position, line in enumerate(lines, start=1):
        invoice.lines.append(InvoiceLine(
            position=position, order_line_id=line.order_line_id, description=line.description,
            quantity=line.quantity, unit_price_cents=line.unit_price_cents, vat_rate=line.vat_rate,
            total_cents=line.quantity * line.unit_price_cents,
        ))
    db.session.add(invoice)
    if flush:
        db.session.flush()
    return invoice


def fee_permille(order: Order) -> int:
    return order.sub_region.region.platform_fee_permille


def fee_description(order: Order, permille: int) -> str:
    return f"Plattformgebühr {permille / 10:g} % zu Bestellung {order.number}"


def list_order_invoices(order_id: int) -> list[Invoice]:
    return list(db.session.scalars(
        select(Invoice).where(Invoice.order_id == order_id).order_by(Invoice.id)
    ))


def issue_order_invoices(order: Order, *, now: datetime) -> list[Invoice]:
    """The invoices of a confirmed order; issues nothing for an order that has them already.

    Producers in ascending id, then the platform: every order takes the counter rows in the
    same order, so two orders never wait for each other in a circle."""
    if db.session.scalar(select(Invoice.id).where(Invoice.order_id == order.id).limit(1)):
        return []
    resident = resident_party(order.resident)
    issued = []
    producer_orders = sorted(order.producer_orders, key=lambda po: po.producer_id)
    parties = {po.producer_id: producer_party(po.producer) for po in producer_orders}
    for po in producer_orders:
        producer = po.producer
        lines = [
            LineValues(line.product_name, line.quantity, line.unit_price_cents, line.vat_rate, line.id)
            for line in order.lines if line.producer_order_id == po.id
        ]
        issued.append(new_invoice(
            kind=InvoiceKind.SALE, series=series_of(producer.id), order=order,
            seller=parties[producer.id], buyer=resident, lines=lines, now=now,
            producer_id=producer.id, buyer_user_id=order.resident_id,
            small_business=producer.vat_status == VatStatus.SMALL_BUSINESS, flush=False,
        ))
    platform = platform_party()
    if order.delivery_fee_cents:
        issued.append(new_invoice(
            kind=InvoiceKind.DELIVERY, series=series_of(None), order=order, seller=platform,
            buyer=resident, now=now, buyer_user_id=order.resident_id,
            lines=[LineValues(f"Lieferung an die Haustür am {order.delivery_date:%d.%m.%Y}", 1,
                              order.delivery_fee_cents, PLATFORM_VAT_RATE)], flush=False,
        ))
    permille = fee_permille(order)
    for po in producer_orders:
        fee, _ = split_share(po.items_total_cents, permille)
        if fee:
            issued.append(new_invoice(
                kind=InvoiceKind.PLATFORM_FEE, series=series_of(None), order=order, seller=platform,
                buyer=parties[po.producer_id], now=now, producer_id=po.producer_id,
                lines=[LineValues(fee_description(order, permille), 1, fee, PLATFORM_VAT_RATE)], flush=False,
            ))
    db.session.flush()
    return issued


on_enter(OrderStatus.CONFIRMED, issue_order_invoices)
