"""What the checkout offers: delivery days, fulfilment options with distance, and basket prices."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from marketplace.accounts.models import User
from marketplace.catalog.crates import crates_by_temperature
from marketplace.catalog.models import Producer, Product, Temperature
from marketplace.core.errors import DomainError
from marketplace.core.money import VatLine, vat_breakdown
from marketplace.orders.checkout.context import CheckoutContext, load_checkout, load_products
from marketplace.orders.checkout.rules import (
    check_cold_chain,
    check_door,
    check_orderable,
    keeps_cold_enough,
    list_open_delivery_days,
    sum_quantities,
)
from marketplace.orders.models import Fulfilment
from marketplace.pickup.cold_chain import is_open_on, temperatures_kept
from marketplace.pickup.models import PickupPlace
from marketplace.pickup.reservations import Alternative, Room, load_room
from marketplace.regions.geo import distance_km
from marketplace.regions.schedule import DeliveryDay

# Delivery to the door is a service at the standard rate, whatever the goods are.
DELIVERY_FEE_VAT_RATE = 19


@dataclass(frozen=True)
class PricedLine:
    product: Product
    quantity: int
    unit_price_cents: int
    total_cents: int

    @property
    def vat_rate(self) -> int:
        return self.product.vat_rate


@dataclass(frozen=True)
class BasketPrice:
    lines: list[PricedLine]
    items_total_cents: int
    delivery_fee_cents: int
    total_cents: int
    vat: list[VatLine]
    temperatures: frozenset[Temperature] = field(default_factory=frozenset)

    @cached_property
    def crates(self) -> dict[Temperature, Decimal]:
        """The basket's size in crate units per temperature class (asked per place and day)."""
        return crates_by_temperature((line.product, line.quantity) for line in self.lines)

    def lines_by_producer(self) -> dict[Producer, list[PricedLine]]:
        grouped: dict[Producer, list[PricedLine]] = {}
        for line in self.lines:
            grouped.setdefault(line.product.producer, []).append(line)
        return grouped


@dataclass(frozen=True)
class FulfilmentOption:
    kind: Fulfilment
    pickup_place: PickupPlace | None
    distance_km: float | None
    keeps_cold: bool
    allowed: bool                   # for this basket (cold chain, door minimum)
    fee_cents: int = 0
    reason: str | None = None       # German msgid, translated by the view
    reason_code: str | None = None
    reason_params: dict = field(default_factory=dict)
    # The offered delivery days on which the place is closed (sales points' opening hours).
    closed_days: frozenset[date] = frozenset()
    # The offered days on which the place has no room left for this basket, each with the
    # nearest places that still have room that day.
    full_days: Mapping[date, list[Alternative]] = field(default_factory=dict)


def price_lines(products: dict[int, Product], quantities: dict[int, int], delivery_fee_cents: int = 0) -> BasketPrice:
    """Prices from the products as they are now; a client's price never enters here."""
    lines = [
        PricedLine(products[pid], qty, products[pid].price_cents, qty * products[pid].price_cents)
        for pid, qty in sorted(quantities.items())
    ]
    items_total = sum(line.total_cents for line in lines)
    vat_input = [(line.total_cents, line.vat_rate) for line in lines]
    if delivery_fee_cents:
        vat_input.append((delivery_fee_cents, DELIVERY_FEE_VAT_RATE))
    return BasketPrice(
        lines=lines, items_total_cents=items_total, delivery_fee_cents=delivery_fee_cents,
        total_cents=items_total + delivery_fee_cents, vat=vat_breakdown(vat_input),
        temperatures=frozenset(line.product.temperature for line in lines),
    )


def price_basket(items: Iterable[tuple[int, int]], delivery_fee_cents: int = 0) -> BasketPrice:
    """Totals of a basket of (product_id, quantity), with VAT per rate; raises on bad items."""
    quantities = sum_quantities(items)
    products = load_products(quantities)
    check_orderable(quantities, products)
    return price_lines(products, quantities, delivery_fee_cents)


def list_delivery_days_for(resident: User, now: datetime) -> list[DeliveryDay]:
    """The resident's sub-region's next delivery days whose cut-off lies after `now`, soonest first."""
    return list_open_delivery_days(load_checkout(resident.id).sub_region, now)


def _refusal(error: DomainError) -> dict:
    return {"reason": error.detail, "reason_code": error.code, "reason_params": error.params}


# How many alternatives a full place names.
ALTERNATIVES = 3


def takes_basket(place: PickupPlace, day: date, basket: BasketPrice, room: Mapping[tuple[int, date], Room]) -> bool:
    """Whether `place` can take the basket on `day`: keeps its goods cold, is open, has room."""
    return (keeps_cold_enough(place, basket.temperatures) and is_open_on(place, day)
            and room[place.id, day].fits(basket.crates))


def nearest_with_room(
    places: Iterable[PickupPlace], home: tuple[float, float] | None, day: date, basket: BasketPrice,
    room: Mapping[tuple[int, date], Room], *, instead_of: PickupPlace,
) -> list[Alternative]:
    """The places (other than `instead_of`) that take the basket on `day`, nearest to the
    resident's home first (to the full place without one); at most ALTERNATIVES."""
    origin = home or (instead_of.lat, instead_of.lon)
    found = [
        Alternative(place, round(distance_km(origin, (place.lat, place.lon)), 2))
        for place in places if place.id != instead_of.id and takes_basket(place, day, basket, room)
    ]
    found.sort(key=lambda a: (a.distance_km, a.place.name))
    return found[:ALTERNATIVES]


def list_fulfilment_options(
    context: CheckoutContext, basket: BasketPrice | None, days: Iterable[DeliveryDay] = (),
) -> list[FulfilmentOption]:
    """Every pickup place of the resident's sub-region (nearest first) and the door, each
    marked allowed or not for this basket with the reason when not, the days it is closed, and
    the days it has no room for the basket (with the nearest places that have)."""
    temperatures = basket.temperatures if basket else frozenset()
    days = list(days)
    home = context.home
    places = list(context.places.values())
    room = load_room(places, [d.date for d in days]) if basket and days else {}
    options: list[FulfilmentOption] = []
    for place in places:
        refusal = {}
        try:
            check_cold_chain(place, temperatures)
        except DomainError as error:
            refusal = _refusal(error)
        full_days = {}
        if room and not refusal:
            full_days = {
                d.date: nearest_with_room(places, home, d.date, basket, room, instead_of=place)
                for d in days if is_open_on(place, d.date) and not room[place.id, d.date].fits(basket.crates)
            }
        options.append(FulfilmentOption(
            kind=Fulfilment(place.kind.value), pickup_place=place,
            distance_km=round(distance_km(home, (place.lat, place.lon)), 2) if home else None,
            keeps_cold=temperatures_kept(place) != {Temperature.AMBIENT}, allowed=not refusal,
            closed_days=frozenset(d.date for d in days if not is_open_on(place, d.date)),
            full_days=full_days, **refusal,
        ))
    options.sort(key=lambda o: (o.distance_km is None, o.distance_km or 0.0))
    sub_region = context.sub_region
    if sub_region.door_delivery:
        refusal = {}
        try:
            check_door(sub_region, basket.items_total_cents if basket else 0)
        except DomainError as error:
            refusal = _refusal(error)
        options.append(FulfilmentOption(
            kind=Fulfilment.DOOR, pickup_place=None, distance_km=0.0 if home else None,
            keeps_cold=True, allowed=not refusal, fee_cents=sub_region.door_fee_cents, **refusal,
        ))
    return options


def vat_of_order(order) -> list[VatLine]:
    """VAT per rate of a placed order, from its snapshot lines and its delivery fee."""
    pairs = [(line.total_cents, line.vat_rate) for line in order.lines]
    if order.delivery_fee_cents:
        pairs.append((order.delivery_fee_cents, DELIVERY_FEE_VAT_RATE))
    return vat_breakdown(pairs)
