"""Forms of assisted ordering at a sales point or Regio-Hub; the services judge what they parse."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from marketplace.orders.forms import CheckoutForm

CHANNEL_CHOICES = [("sms", _l("SMS aufs Handy")), ("slip", _l("Zettel zum Abholen in der Verkaufsstelle"))]
GIVEN_BY_CHOICES = [("phone", _l("am Telefon vorgelesen")), ("in_person", _l("vor Ort gezeigt oder vorgelesen"))]
PAYMENT_CHOICES = [("pay_on_pickup", _l("bei Abholung (bar oder mit Karte)")), ("invoice", _l("auf Rechnung"))]


class NewResidentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Bitte geben Sie den Namen an.")),
                                               Length(max=200)])
    phone = StringField(_l("Telefon (freiwillig)"), validators=[Optional(), Length(max=40)])
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postleitzahl"), validators=[DataRequired(), Length(max=10)])
    town = StringField(_l("Ort"), validators=[DataRequired(), Length(max=200)])
    channel = RadioField(_l("Wie soll Landkorb Bescheid geben?"), choices=CHANNEL_CHOICES, default="slip")
    given_by = RadioField(_l("Wie wurde der Einwilligungstext gegeben?"), choices=GIVEN_BY_CHOICES,
                          default="phone")
    consent = BooleanField(_l("Die Person ist mit diesem Text einverstanden."),
                           validators=[DataRequired(message=_l("Ohne Einwilligung können wir nicht bestellen."))])
    text_version = HiddenField(validators=[DataRequired(), Length(max=40)])


class AssistedOrderForm(CheckoutForm):
    payment_method = RadioField(_l("Bezahlung"), choices=PAYMENT_CHOICES, default="pay_on_pickup")
    q = StringField(_l("Produkt suchen"), validators=[Optional(), Length(max=100)])


class TakeOverForm(FlaskForm):
    email = StringField(_l("E-Mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=200)])
