"""Phone numbers: parsed and normalised to E.164 with `phonenumbers`; German mobiles get SMS."""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

DEFAULT_REGION = "DE"


def normalise_phone(raw: str | None) -> str | None:
    """The E.164 form of a valid number (German when it has no country code), else None."""
    if not raw or not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def german_mobile(raw: str | None) -> str | None:
    """The E.164 form of a German mobile number, else None (landlines and foreign numbers get no SMS)."""
    e164 = normalise_phone(raw)
    if e164 is None:
        return None
    number = phonenumbers.parse(e164)
    if phonenumbers.region_code_for_number(number) != DEFAULT_REGION:
        return None
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        return None
    return e164
