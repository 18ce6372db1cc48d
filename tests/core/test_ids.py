"""Order numbers: readable on the phone, spread over the whole alphabet."""
from __future__ import annotations

import re
from collections import Counter

from marketplace.core.ids import _ALPHABET, order_number, slugify


def test_order_numbers_use_only_unambiguous_symbols_in_two_groups_of_four():
    numbers = [order_number() for _ in range(2000)]
    assert all(re.fullmatch(r"LK-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", n) for n in numbers)
    assert not any(set(n) & set("01OIL") for n in (x[3:] for x in numbers))
    assert len(set(numbers)) == len(numbers)
    assert order_number("HB").startswith("HB-")


def test_every_symbol_turns_up_in_every_position():
    positions = [Counter() for _ in range(8)]
    for _ in range(3000):
        body = order_number()[3:].replace("-", "")
        for counter, symbol in zip(positions, body, strict=True):
            counter[symbol] += 1
    # 3000 draws over 31 symbols: about 97 each; a position stuck on a few symbols would fail.
    assert all(set(counter) == set(_ALPHABET) for counter in positions)
    assert all(min(counter.values()) > 40 for counter in positions)


def test_slugify_spells_out_umlauts():
    assert slugify("Hofladen Müller & Söhne") == "hofladen-mueller-soehne"
