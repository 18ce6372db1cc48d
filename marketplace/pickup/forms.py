"""Forms of the operator's station page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class OutOfServiceForm(FlaskForm):
    reason = StringField(_l("Grund"), validators=[
        DataRequired(_l("Bitte einen Grund angeben.")), Length(max=200, message=_l("Höchstens 200 Zeichen.")),
    ])


class ButtonForm(FlaskForm):
    """A button that only needs the CSRF token."""
