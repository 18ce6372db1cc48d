"""WCAG 2 contrast between two sRGB colours written as #rrggbb."""
from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG AA for normal text.
MIN_TEXT_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """From 1 (the same) to 21 (black on white)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
