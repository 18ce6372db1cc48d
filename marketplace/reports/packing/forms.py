"""The forms of a producer's delivery day: a real weight, a short quantity, the minimum."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class ActionForm(FlaskForm):
    """A button that changes something: packed, deliver anyway, decline (the CSRF token only)."""


class WeightForm(FlaskForm):
    gewicht = IntegerField(_l("Gewicht (g)"), validators=[
        InputRequired(_l("Bitte das Gewicht in Gramm angeben.")), NumberRange(min=1, max=1_000_000)])


class ShortForm(FlaskForm):
    fehlmenge = IntegerField(_l("Fehlmenge"), validators=[
        InputRequired(_l("Bitte die fehlende Menge angeben.")), NumberRange(min=0, max=100_000)])


class MinimumForm(FlaskForm):
    """The least turnover per delivery day in one sub-region (empty: none)."""

    teilregion = IntegerField(validators=[InputRequired()])
    mindestumsatz = StringField(_l("Mindestumsatz je Liefertag (€)"), validators=[Optional(), Length(max=20)])
