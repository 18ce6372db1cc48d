"""Forms of the operator's station page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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


class StationForm(FlaskForm):
    """A station's details; the rules are `pickup.station_setup`'s."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte einen Namen angeben.")), Length(max=200)])
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(_l("Bitte die Straße angeben.")),
                                                                  Length(max=200)])
    place_id = SelectField(_l("Ort"), coerce=int, validate_choice=False)
    access_hours = StringField(_l("Zugang (z. B. täglich 6–22 Uhr)"), validators=[Length(max=200)])
    contact_name = StringField(_l("Ansprechperson"), validators=[Length(max=200)])
    contact_phone = StringField(_l("Telefon der Ansprechperson"), validators=[Length(max=40)])
    photo = FileField(_l("Foto, wo die Station steht (JPEG, PNG oder WebP, bis 10 MB)"))
