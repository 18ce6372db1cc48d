"""The catalogue's filter form (GET, no CSRF: it changes nothing) and the producer's forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.web.labels import TEMPERATURE_LABELS, UNIT_LABELS, WEEKDAY_LABELS

MAX_PAGE = 10_000


class CatalogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Suche"), validators=[Optional(), Length(max=100)])
    kategorie = SelectField(default="", label=_l("Kategorie"), choices=[], validate_choice=True)
    erzeuger = SelectField(default="", label=_l("Erzeuger"), choices=[], validate_choice=True)
    lagerung = SelectField(default="", label=_l("Lagerung"), choices=[], validate_choice=True)
    bio = BooleanField(_l("nur Bio"))
    ort = SelectField(default="", label=_l("In der Nähe von"), choices=[], validate_choice=True)
    seite = IntegerField(_l("Seite"), validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    def fill_choices(self, categories, producers, places, has_home: bool) -> None:
        self.kategorie.choices = [("", _l("alle Kategorien"))] + [(c.slug, c.name) for c in categories]
        self.erzeuger.choices = [("", _l("alle Erzeuger"))] + [(str(p.id), p.name) for p in producers]
        self.lagerung.choices = [("", _l("alle"))] + [
            (key, label) for key, label in TEMPERATURE_LABELS.items()
        ]
        first = _l("meiner Adresse") if has_home else _l("egal")
        self.ort.choices = [("", first)] + [(str(p.id), p.name) for p in places]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProductForm(FlaskForm):
    """A producer's product as typed in the portal; prices with a decimal comma ("2,50").

    The form only turns text into values; the rules are `catalog.services.check_product`'s."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    article_number = StringField(_l("Artikelnummer"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Beschreibung"), validators=[Optional(), Length(max=5000)])
    category_id = SelectField(_l("Kategorie"), coerce=int, choices=[], validate_choice=True)
    unit = SelectField(_l("Einheit"), choices=[], validate_choice=True)
    price = StringField(_l("Preis (brutto, €)"), validators=[DataRequired()])
    vat_rate = SelectField(_l("MwSt."), coerce=int, choices=[], validate_choice=True)
    unit_weight_g = IntegerField(_l("Gewicht je Einheit (g)"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    unit_volume_ml = IntegerField(_l("Inhalt je Einheit (ml)"), validators=[Optional(), NumberRange(min=1, max=100_000)])
    weight_tolerance_pct = IntegerField(_l("Nach Gewicht: Abweichung bis ± %"), validators=[Optional(), NumberRange(min=1, max=50)])
    temperature = SelectField(_l("Lagerung"), choices=[], validate_choice=True)
    crate_units = StringField(_l("Größe in Kisten"), default="0,1", validators=[DataRequired()])
    stock = IntegerField(_l("Bestand (leer: auf Bestellung)"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    min_quantity = IntegerField(_l("Mindestmenge je Bestellung"), default=1, validators=[DataRequired(), NumberRange(min=1, max=1000)])
    quantity_step = IntegerField(_l("Schrittweite"), default=1, validators=[DataRequired(), NumberRange(min=1, max=1000)])
    weekdays = MultiCheckboxField(_l("Liefertage"), coerce=int, choices=[], validate_choice=True)
    season_start = DateField(_l("Saison von"), validators=[Optional()])
    season_end = DateField(_l("Saison bis"), validators=[Optional()])
    is_organic = BooleanField(_l("Bio"))
    is_active = BooleanField(_l("im Shop anbieten"), default=True)
    photo = FileField(_l("Foto (JPEG, PNG oder WebP, bis 10 MB)"))

    def fill_choices(self, categories, vat_rates) -> None:
        self.category_id.choices = [(c.id, c.name) for c in categories]
        self.unit.choices = list(UNIT_LABELS.items())
        self.temperature.choices = list(TEMPERATURE_LABELS.items())
        self.vat_rate.choices = [(rate, f"{rate} %") for rate in vat_rates]
        self.weekdays.choices = list(WEEKDAY_LABELS.items())


class ImportForm(FlaskForm):
    """A spreadsheet to check (and then import) the catalogue from."""

    datei = FileField(_l("Tabelle (CSV oder Excel .xlsx)"), validators=[FileRequired(_l("Bitte eine Datei wählen."))])


class ConfirmImportForm(FlaskForm):
    """The checked file, kept on the server under a random name, written on confirmation."""

    datei_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
