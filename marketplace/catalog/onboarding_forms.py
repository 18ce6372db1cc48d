"""Forms of joining: the producer's application, the coordinator's decision, staff invitations."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from marketplace.catalog.models import VatStatus

_PHONE = [Optional(), Length(max=40),
          Regexp(r"^[0-9+()/ \-]+$", message=_l("Bitte nur Ziffern, Leerzeichen und + ( ) / -."))]


class ApplicationForm(FlaskForm):
    """A producer's application by someone signed in (the account becomes its owner)."""

    name = StringField(_l("Name des Betriebs"), validators=[DataRequired(), Length(max=200)])
    street = StringField(_l("Straße und Hausnummer"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postleitzahl"), validators=[
        DataRequired(), Regexp(r"^\s*\d{5}\s*$", message=_l("Bitte geben Sie eine fünfstellige Postleitzahl an."))])
    town = StringField(_l("Ort"), validators=[DataRequired(), Length(max=200)])
    phone = TelField(_l("Telefon (freiwillig)"), validators=_PHONE)
    description = TextAreaField(_l("Was Sie anbieten"), validators=[Optional(), Length(max=5000)])
    organic_control_number = StringField(_l("Öko-Kontrollnummer (falls zertifiziert)"),
                                         validators=[Optional(), Length(max=20)])
    vat_status = RadioField(_l("Umsatzsteuer"), default=VatStatus.REGULAR.value, choices=[
        (VatStatus.REGULAR.value, _l("Regelbesteuerung (7 % oder 19 % MwSt.)")),
        (VatStatus.SMALL_BUSINESS.value, _l("Kleinunternehmer nach § 19 UStG (keine MwSt.)")),
    ], validators=[DataRequired()])


class ApplicationWithAccountForm(ApplicationForm):
    """The application of someone not signed in: it makes the owner's account too."""

    account_name = StringField(_l("Ihr Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-Mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[DataRequired(), Length(max=200)])
    password_repeat = PasswordField(_l("Passwort wiederholen"), validators=[
        EqualTo("password", message=_l("Die Passwörter stimmen nicht überein."))])


class DecisionForm(FlaskForm):
    """Approve (no fields) or decline with a reason the applicant reads."""

    reason = TextAreaField(_l("Grund der Ablehnung"), validators=[Optional(), Length(max=1000)])


class InviteForm(FlaskForm):
    email = EmailField(_l("E-Mail der Mitarbeiterin oder des Mitarbeiters"),
                       validators=[DataRequired(), Email(), Length(max=254)])


class AcceptInvitationForm(FlaskForm):
    """A new account's name and password; an existing account only confirms."""

    name = StringField(_l("Ihr Name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(_l("Passwort"), validators=[Optional(), Length(max=200)])
    password_repeat = PasswordField(_l("Passwort wiederholen"), validators=[
        EqualTo("password", message=_l("Die Passwörter stimmen nicht überein."))])
