"""Forms of the sales point's staff pages and of emptying expired goods."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp

from marketplace.pickup.models import EmptyOutcome, HowIdentified

OUTCOME_LABELS = {
    EmptyOutcome.RETURNED_TO_PRODUCER: _l("an den Erzeuger zurückgegeben"),
    EmptyOutcome.MOVED_TO_FRIDGE: _l("in den Kühlschrank einer Verkaufsstelle gebracht"),
    EmptyOutcome.DONATED: _l("gespendet"),
    EmptyOutcome.DISCARDED: _l("entsorgt"),
}

IDENTIFIED_LABELS = {
    HowIdentified.LOCKER_CODE: _l("Code am Tastenfeld"),
    HowIdentified.CODE: _l("Abholcode"),
    HowIdentified.ID_CARD: _l("Ausweis"),
}


class HandoverForm(FlaskForm):
    identified_by = RadioField(_l("Wie ausgewiesen"), default=HowIdentified.CODE.value, choices=[
        SelectChoice(HowIdentified.CODE.value, _l("Abholcode")),
        SelectChoice(HowIdentified.ID_CARD.value, _l("Code verloren: Name und Anschrift auf dem Ausweis geprüft")),
    ], validators=[DataRequired()])
    code = StringField(_l("Abholcode"), validators=[
        Optional(), Regexp(r"^\s*[0-9]{8}\s*$", message=_l("Ein Abholcode besteht aus 8 Ziffern.")),
    ])


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Was wurde gemacht?"), choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
                          validators=[DataRequired(_l("Bitte auswählen, was gemacht wurde."))])
