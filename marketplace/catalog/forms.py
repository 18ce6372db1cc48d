"""The catalogue's filter form (GET, no CSRF: it changes nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional

from marketplace.web.labels import TEMPERATURE_LABELS

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
