"""How much room goods take: crate units per temperature class, the measure of compartments,
sales points' shelves and vans alike."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from marketplace.catalog.models import Temperature


def crates_by_temperature(goods: Iterable[tuple[object, int]]) -> dict[Temperature, Decimal]:
    """(item, quantity) pairs → crate units per temperature class, for classes that have goods.

    An item is anything with `temperature` and `crate_units`: a Product in the basket, an
    OrderLine of a placed order (its snapshot)."""
    crates: dict[Temperature, Decimal] = {}
    for item, quantity in goods:
        temperature = Temperature(item.temperature)
        crates[temperature] = crates.get(temperature, Decimal(0)) + Decimal(item.crate_units) * quantity
    return crates
