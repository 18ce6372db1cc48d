"""The region admin's set-up forms (text in, checked again by regions/setup.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class CommaFloatField(FloatField):
    """A number with a German decimal comma or a point."""

    def process_formdata(self, valuelist):
        super().process_formdata([v.replace(",", ".") for v in valuelist])


class _Prefixed(FlaskForm):
    """Several forms share one page: each prefixes its field names (and so the ids)."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class SubRegionForm(_Prefixed):
    PREFIX = "sr"
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Kürzel (für Adressen, z. B. maifeld)"), validators=[DataRequired(), Length(max=80)])
    municipality_ids = SelectMultipleField(
        _l("Gemeinden, die in dieses Liefergebiet wechseln"), coerce=int, choices=[],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
    )
    hub_place_id = SelectField(_l("Hub (Ort, an dem die Touren beginnen)"), coerce=_int_or_none, choices=[])


class OfferForm(_Prefixed):
    PREFIX = "offer"
    door_delivery = BooleanField(_l("Lieferung an die Haustür"))
    door_fee = StringField(_l("Gebühr für die Haustür in Euro"), validators=[DataRequired(), Length(max=12)])
    door_min_order = StringField(_l("Mindestbestellwert für die Haustür in Euro"),
                                 validators=[DataRequired(), Length(max=12)])
    local_note = StringField(_l("Hinweis für die Einwohner (höchstens 300 Zeichen)"),
                             validators=[Optional(), Length(max=300)])


class MunicipalityForm(_Prefixed):
    PREFIX = "gem"
    municipality_id = SelectField(_l("Gemeinde aus einem anderen Liefergebiet"), coerce=_int_or_none, choices=[])
    name = StringField(_l("oder neue Gemeinde"), validators=[Optional(), Length(max=200)])


class RenameForm(_Prefixed):
    PREFIX = "rn"
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])


class PlaceForm(_Prefixed):
    PREFIX = "ort"
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    postcode = StringField(_l("Postleitzahl"), validators=[Optional(), Length(max=10)])
    kind = SelectField(_l("Art"), choices=[("village", _l("Dorf")), ("town", _l("Stadt"))])
    lat = CommaFloatField(_l("Breite (z. B. 50,35)"), validators=[InputRequired(message=_l("Bitte eine Zahl angeben."))])
    lon = CommaFloatField(_l("Länge (z. B. 7,25)"), validators=[InputRequired(message=_l("Bitte eine Zahl angeben."))])


class InviteForm(_Prefixed):
    PREFIX = "inv"
    email = EmailField(_l("E-Mail-Adresse"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Aufgabe"), choices=[("coordinator", _l("Koordination")), ("driver", _l("Fahrdienst"))])


class RegionForm(FlaskForm):
    name = StringField(_l("Name der Region"), validators=[DataRequired(), Length(max=200)])
    platform_fee_permille = IntegerField(_l("Plattformgebühr in Promille (100 = 10 %)"),
                                         validators=[DataRequired(), NumberRange(min=0, max=1000)])
    brand_colour = StringField(_l("Hauptfarbe (#rrggbb, leer: Standard)"), validators=[Optional(), Length(max=7)])
    accent_colour = StringField(_l("Akzentfarbe (#rrggbb, leer: Standard)"), validators=[Optional(), Length(max=7)])
    logo = FileField(_l("Logo (JPEG, PNG oder WebP, bis 10 MB)"))


class LegalForm(FlaskForm):
    imprint_text = TextAreaField(_l("Impressum"), validators=[Optional(), Length(max=20000)])
    privacy_text = TextAreaField(_l("Datenschutzerklärung"), validators=[Optional(), Length(max=50000)])


class AcceptForm(FlaskForm):
    password = PasswordField(_l("Passwort (mindestens 10 Zeichen)"), validators=[DataRequired()])
    confirm = PasswordField(_l("Passwort wiederholen"),
                            validators=[DataRequired(), EqualTo("password", message=_l("Die Passwörter stimmen nicht überein."))])


class RefundRuleForm(FlaskForm):
    refund_expired_perishables = BooleanField(_l("Nicht abgeholte Kühl- und Tiefkühlware erstatten"))
