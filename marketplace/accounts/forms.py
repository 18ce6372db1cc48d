"""Forms for login, registration and the home address."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp


class LoginForm(FlaskForm):
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Angemeldet bleiben"))
    next = StringField()


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = TelField(
        _l("Telefon (freiwillig)"),
        validators=[
            Optional(), Length(max=40),
            Regexp(r"^[0-9+()/ \-]+$", message=_l("Bitte nur Ziffern, Leerzeichen und + ( ) / -.")),
        ],
    )
    password = PasswordField(
        _l("Passwort"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("Das Passwort muss mindestens 10 Zeichen lang sein.")),
        ],
    )
    password_repeat = PasswordField(
        _l("Passwort wiederholen"),
        validators=[DataRequired(), EqualTo("password", message=_l("Die Passwörter stimmen nicht überein."))],
    )


class AddressForm(FlaskForm):
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(
        _l("Postleitzahl"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*\d{5}\s*$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl an.")),
        ],
    )
    town = StringField(_l("Ort"), validators=[DataRequired(), Length(max=200)])
