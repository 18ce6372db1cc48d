"""Human-friendly identifiers: order numbers and URL slugs."""
from __future__ import annotations

import re
import secrets
import unicodedata

# No 0/O, 1/I/L: numbers are read out on the phone and typed by older residents.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def order_number(prefix: str = "LK") -> str:
    """LK-XXXX-XXXX: 8 symbols of the alphabet, uniform, from one draw of the system's randomness."""
    value = secrets.randbelow(len(_ALPHABET) ** 8)
    symbols = []
    for _ in range(8):
        value, digit = divmod(value, len(_ALPHABET))
        symbols.append(_ALPHABET[digit])
    body = "".join(symbols)
    return f"{prefix}-{body[:4]}-{body[4:]}"


def slugify(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = text.replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
