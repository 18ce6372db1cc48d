"""Forms of the operator's station page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from marketplace.catalog.models import Temperature
from marketplace.pickup.models import CompartmentSize
from marketplace.web.labels import TEMPERATURE_LABELS

SIZE_CHOICES = [SelectChoice(s.value, s.value) for s in CompartmentSize]
TEMPERATURE_CHOICES = [SelectChoice(t.value, TEMPERATURE_LABELS[t.value]) for t in Temperature]


class OutOfServiceForm(FlaskForm):
    reason = StringField(_l("Grund"), validators=[
        DataRequired(_l("Bitte einen Grund angeben.")), Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ])


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token."""


class CompartmentForm(FlaskForm):
    size = SelectField(_l("Größe"), choices=SIZE_CHOICES, validators=[DataRequired()])
    temperature = SelectField(_l("Temperatur"), choices=TEMPERATURE_CHOICES, validators=[DataRequired()])


class NewCompartmentForm(CompartmentForm):
    label = StringField(_l("Bezeichnung"), validators=[
        DataRequired(_l("Bitte eine Bezeichnung angeben.")),
        Regexp(r"^[A-Za-z0-9-]{1,10}$", message=_l("1 bis 10 Buchstaben, Ziffern oder Bindestriche.")),
    ])
