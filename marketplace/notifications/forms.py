"""The resident's notification preferences: channels, language, mobile number."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class PreferencesForm(FlaskForm):
    channels = SelectMultipleField(
        _l("Wie möchten Sie benachrichtigt werden?"),
        choices=[SelectChoice("email", _l("E-Mail")), SelectChoice("sms", _l("SMS aufs Handy")),
                 SelectChoice("slip", _l("Ausgedruckter Zettel an meiner Verkaufsstelle"))],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    language = RadioField(
        _l("Sprache der Nachrichten"), choices=[SelectChoice("de", "Deutsch"), SelectChoice("en", "English")],
        default="de",
    )
    phone = TelField(_l("Handynummer"), validators=[Optional(), Length(max=40)])
