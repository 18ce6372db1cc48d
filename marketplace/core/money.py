"""Money in integer cents: parsing, VAT per rate and splits, never floats."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

# 0: a small business under §19 UStG charges no VAT.
VAT_RATES = (0, 7, 19)


def vat_included(gross_cents: int, rate: int) -> int:
    """The VAT contained in a gross amount, rounded half up to a cent."""
    if rate not in VAT_RATES:
        raise ValueError(f"unknown VAT rate {rate}")
    vat = Decimal(gross_cents) * rate / (100 + rate)
    return int(vat.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class VatLine:
    rate: int
    gross_cents: int
    vat_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.vat_cents


def vat_breakdown(lines: Iterable[tuple[int, int]]) -> list[VatLine]:
    """Group (gross_cents, rate) pairs by rate and compute VAT on each rate's total."""
    totals: dict[int, int] = {}
    for gross, rate in lines:
        totals[rate] = totals.get(rate, 0) + gross
    return [VatLine(rate, total, vat_included(total, rate)) for rate, total in sorted(totals.items())]


def parse_euros(text: str) -> int:
    """'12,50' / '12.50' / '12' → 1250 cents; raises ValueError on anything else."""
    cleaned = text.strip().replace("€", "").replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError(f"not an amount in cents: {text!r}")
    return int(value * 100)


@lru_cache(maxsize=4096)
def format_cents(cents: int, locale: str = "de") -> str:
    """1250 → '12,50 €' (de) or '€12.50' (en); used by the template filter.

    Kept per (amount, language): Babel's formatting is a good part of rendering a catalogue page.
    """
    from babel.numbers import format_currency

    return format_currency(Decimal(cents) / 100, "EUR", locale=locale)


def split_share(total_cents: int, fee_permille: int) -> tuple[int, int]:
    """Split a total into (platform fee, producer share); the fee rounds half up."""
    fee = int((Decimal(total_cents) * fee_permille / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return fee, total_cents - fee
