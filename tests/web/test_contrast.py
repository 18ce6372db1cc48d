"""The stylesheet's colour pairs pass WCAG AA contrast (4.5:1 for text)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "landkorb.css").read_text()
VARIABLES = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# (text, background) pairs the stylesheet uses for text.
PAIRS = [
    ("ink", "paper"), ("ink", "card"), ("muted", "paper"), ("muted", "card"),
    ("brand", "card"), ("brand", "paper"), ("error", "card"), ("error", "error-bg"),
    ("ink", "ok-bg"), ("ink", "warn-bg"), ("ink", "error-bg"), ("accent", "card"),
]


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_colours_pass_wcag_aa(fg, bg):
    assert contrast(VARIABLES[fg], VARIABLES[bg]) >= 4.5


def test_header_text_on_brand_passes_wcag_aa():
    assert contrast("#ffffff", VARIABLES["brand"]) >= 4.5


def test_contrast_check_can_fail():
    assert contrast("#777777", "#ffffff") < 4.5
