"""Forms of the basket and the checkout; they parse text, the order services judge it."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from marketplace.orders.checkout.rules import FulfilmentChoice
from marketplace.orders.models import Fulfilment

_WHOLE_NUMBER = re.compile(r"^\s*[+-]?[0-9]{1,15}\s*$")
QUANTITY_MESSAGE = _l("Die Menge muss eine ganze Zahl von 1 bis 999 sein.")


def parse_whole_number(text: str | None) -> int | None:
    """'3' → 3; '1.5', 'abc', '' → None. The range is the order services' rule, not ours."""
    if text is None or not _WHOLE_NUMBER.match(text):
        return None
    return int(text)


class _WholeNumber:
    def __call__(self, form, field) -> None:
        if parse_whole_number(field.data) is None:
            raise ValidationError(str(QUANTITY_MESSAGE))


class _Chosen:
    """The value must be one of the field's current choices (set per request)."""

    def __init__(self, message) -> None:
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(str(self.message))


class QuantityForm(FlaskForm):
    quantity = StringField(
        _l("Menge"), validators=[InputRequired(message=QUANTITY_MESSAGE), Length(max=20), _WholeNumber()]
    )

    @property
    def value(self) -> int:
        return parse_whole_number(self.quantity.data)  # type: ignore[return-value]


class AddToCartForm(QuantityForm):
    product_id = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class FulfilmentFields(FlaskForm):
    """Where the order goes: a pickup place or the door (window, and another address if given).
    The checkout and the standing-order page share these fields and their parser."""

    fulfilment = RadioField(
        _l("Abholort oder Lieferung"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie einen der möglichen Abholorte."))],
    )
    # Checked by the order services, and only when the door is chosen.
    door_window = SelectField(_l("Lieferzeitfenster an der Haustür"), choices=[], validate_choice=False)
    # Another door than the home (optional; located and checked by the order services).
    door_street = StringField(_l("Straße und Hausnummer"), validators=[Length(max=200)])
    door_postcode = StringField(_l("Postleitzahl"), validators=[Length(max=10)])
    door_town = StringField(_l("Ort"), validators=[Length(max=200)])

    def fulfilment_choice(self) -> FulfilmentChoice:
        """The chosen radio value ('door', 'station:12', …) with the door's fields."""
        kind, _, place_id = (self.fulfilment.data or "").partition(":")
        if kind == Fulfilment.DOOR:
            return FulfilmentChoice(
                kind=kind, window=self.door_window.data or None, street=self.door_street.data or None,
                postcode=self.door_postcode.data or None, town=self.door_town.data or None,
            )
        return FulfilmentChoice(kind=kind, pickup_place_id=int(place_id) if place_id.isdigit() else None)


class CheckoutForm(FulfilmentFields):
    delivery_date = RadioField(
        _l("Liefertag"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie einen der angebotenen Liefertage."))],
    )
    # Judged by the payment services (offered for the chosen place?); empty: the first offered.
    payment_method = RadioField(_l("Bezahlung"), choices=[], validate_choice=False)
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=64)])

    def fill_choices(self, days, options, windows) -> None:
        self.delivery_date.choices = [(d.date.isoformat(), d.date.isoformat()) for d in days]
        self.fulfilment.choices = [(option_value(o), option_value(o)) for o in options if o.allowed]
        self.door_window.choices = [(w, w) for w in windows]


def option_value(option) -> str:
    """A fulfilment option as one radio value: 'door', 'station:12', 'sales_point:7'."""
    if option.pickup_place is None:
        return str(option.kind.value)
    return f"{option.kind.value}:{option.pickup_place.id}"
