"""Forms of paying by invoice: the coordinator's switch per resident, and marking paid."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional


class BillingProfileForm(FlaskForm):
    may_pay_by_invoice = BooleanField(_l("Darf auf Rechnung kaufen"))
    organisation = StringField(_l("Kauft für (Kita, Gemeinde …)"), validators=[
        Optional(), Length(max=200, message=_l("Höchstens 200 Zeichen."))])
    buyer_reference = StringField(_l("Zeichen des Käufers (z. B. Leitweg-ID)"), validators=[
        Optional(), Length(max=100, message=_l("Höchstens 100 Zeichen."))])


class MarkPaidForm(FlaskForm):
    """Nothing to fill in: the CSRF token is the form."""
