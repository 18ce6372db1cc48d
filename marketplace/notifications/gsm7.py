"""The GSM 03.38 alphabet of SMS: which texts fit one message of 160 septets."""
from __future__ import annotations

# The basic character set (one septet each) and the extension table (escape + one: two septets).
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "^{}\\[~]|€\f"
SINGLE_SMS_SEPTETS = 160


def septets(text: str) -> int | None:
    """How many septets `text` takes in GSM-7, or None when a character is not in the alphabet."""
    count = 0
    for char in text:
        if char in EXTENSION:
            count += 2
        elif char in BASIC and char != "\x1b":
            count += 1
        else:
            return None
    return count


def fits_one_sms(text: str) -> bool:
    length = septets(text)
    return length is not None and length <= SINGLE_SMS_SEPTETS
