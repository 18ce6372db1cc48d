"""A placed order as written: plain records with the fields (and names) of the ORM models.

`place_order` builds these, INSERTs them without the ORM (core.inserts) and returns them. They
answer what the caller needs right after placing (the API's answer, the confirmation page's id,
the payment provider) without loading the order back. To change an order afterwards, load it:
`db.session.get(Order, placed.id)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from marketplace.catalog.models import Temperature, Unit
from marketplace.orders.checkout.facts import PlaceFacts
from marketplace.orders.models import Fulfilment, OrderStatus, PaymentMethod


@dataclass(slots=True)
class PlacedLine:
    producer_order_id: int | None
    product_id: int
    product_name: str
    unit: Unit
    temperature: Temperature
    crate_units: Decimal
    quantity: int
    unit_price_cents: int
    vat_rate: int
    total_cents: int
    order_id: int | None = None


@dataclass(slots=True)
class PlacedProducerOrder:
    producer_id: int
    items_total_cents: int
    lines: list[PlacedLine]
    order_id: int | None = None
    id: int | None = None
    packed_at: datetime | None = None


@dataclass(slots=True)
class PlacedEvent:
    at: datetime
    kind: str
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor_id: int | None
    note: str = ""
    order_id: int | None = None


@dataclass(slots=True)
class PlacedOrder:
    number: str
    resident_id: int
    placed_by_id: int | None
    sub_region_id: int
    delivery_date: date
    cutoff_at: datetime
    status: OrderStatus
    fulfilment: Fulfilment
    pickup_place: PlaceFacts | None
    pickup_place_id: int | None
    door_street: str | None
    door_postcode: str | None
    door_town: str | None
    door_lat: float | None
    door_lon: float | None
    door_window: str | None
    payment_method: PaymentMethod
    items_total_cents: int
    delivery_fee_cents: int
    total_cents: int
    idempotency_key: str | None
    request_fingerprint: str | None
    created_at: datetime
    note: str = ""
    id: int | None = None
    producer_orders: list[PlacedProducerOrder] = field(default_factory=list)
    events: list[PlacedEvent] = field(default_factory=list)

    @property
    def lines(self) -> list[PlacedLine]:
        return [line for producer_order in self.producer_orders for line in producer_order.lines]
