"""The platform's fee on a producer's share, per region.

`PLATFORM_FEE_PERCENT` and `PLATFORM_FEE_CENTS` hold one value for every region ("10") or values
per region slug with an optional default ("8,mayen-koblenz=10"). Without `PLATFORM_FEE_PERCENT`
a region's own `platform_fee_permille` applies; without `PLATFORM_FEE_CENTS` no fixed part.
The fixed part is taken once per producer and order; the fee never exceeds the goods.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask import current_app

from marketplace.regions.models import Region


class FeeConfigError(ValueError):
    """A fee setting that is not a number or a list of `slug=number`."""


def parse_per_region(text: str | None) -> dict[str, Decimal]:
    """"8,mayen-koblenz=10" → {"*": 8, "mayen-koblenz": 10}."""
    values: dict[str, Decimal] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        slug, _, value = part.rpartition("=")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise FeeConfigError(f"not a number: {part!r}") from None
        if number < 0:
            raise FeeConfigError(f"negative: {part!r}")
        values[slug.strip() or "*"] = number
    return values


def _for(region: Region, key: str) -> Decimal | None:
    values = parse_per_region(current_app.config.get(key))
    return values.get(region.slug, values.get("*"))


def fee_percent(region: Region) -> Decimal:
    percent = _for(region, "PLATFORM_FEE_PERCENT")
    return percent if percent is not None else Decimal(region.platform_fee_permille) / 10


@dataclass(frozen=True)
class FeeTerms:
    """The platform fee a region's producers pay, and where each part is set (for the pages)."""

    percent: Decimal
    fixed_cents: int
    is_percent_from_config: bool  # PLATFORM_FEE_PERCENT, else the region's own setting


def fee_terms(region: Region) -> FeeTerms:
    configured = _for(region, "PLATFORM_FEE_PERCENT")
    return FeeTerms(percent=fee_percent(region), fixed_cents=int(_for(region, "PLATFORM_FEE_CENTS") or 0),
                    is_percent_from_config=configured is not None)


def platform_fee(goods_cents: int, region: Region, *, count: bool = True) -> int:
    """The fee on `goods_cents` (half up), plus the fixed part when `count` (once per share)."""
    if goods_cents <= 0:
        return 0
    fee = (Decimal(goods_cents) * fee_percent(region) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if count:
        fee += _for(region, "PLATFORM_FEE_CENTS") or 0
    return min(int(fee), goods_cents)
