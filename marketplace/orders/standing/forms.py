"""Forms of the standing-order pages: they parse text, the standing-order services judge it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from marketplace.orders.forms import _Chosen


class StandingOrderForm(FlaskForm):
    """The basket is the current one; the resident picks weekday, place and payment."""

    weekday = RadioField(
        _l("Wochentag"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie einen der Liefertage Ihres Liefergebiets."))],
    )
    # The same names as the checkout's fields, read by the same parser.
    fulfilment = RadioField(
        _l("Abholort oder Lieferung"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie einen der möglichen Abholorte."))],
    )
    door_window = SelectField(_l("Lieferzeitfenster an der Haustür"), choices=[], validate_choice=False)
    door_street = StringField(_l("Straße und Hausnummer"), validators=[Length(max=200)])
    door_postcode = StringField(_l("Postleitzahl"), validators=[Length(max=10)])
    door_town = StringField(_l("Ort"), validators=[Length(max=200)])
    payment_method = RadioField(
        _l("Bezahlung"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie eine Zahlungsart."))],
    )


class StandingActionForm(FlaskForm):
    """Pause, resume, skip a day, end: a button with the CSRF token (and the day to skip)."""

    day = HiddenField()
