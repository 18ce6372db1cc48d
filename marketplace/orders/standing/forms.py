"""Forms of the standing-order pages: they parse text, the standing-order services judge it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField

from marketplace.orders.forms import FulfilmentFields, _Chosen


class StandingOrderForm(FulfilmentFields):
    """The basket is the current one; the resident picks weekday, place and payment."""

    weekday = RadioField(
        _l("Wochentag"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie einen der Liefertage Ihres Liefergebiets."))],
    )
    payment_method = RadioField(
        _l("Bezahlung"), choices=[], validate_choice=False,
        validators=[_Chosen(_l("Bitte wählen Sie eine Zahlungsart."))],
    )


class StandingActionForm(FlaskForm):
    """Pause, resume, skip a day, end: a button with the CSRF token (and the day to skip)."""

    day = HiddenField()
