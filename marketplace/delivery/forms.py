"""Forms of the delivery screens: schedule, vehicles, door windows, planning, the driver's report."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.delivery.models import StopProblem

WEEKDAY_CHOICES = [
    SelectChoice(1, _l("Montag")), SelectChoice(2, _l("Dienstag")), SelectChoice(3, _l("Mittwoch")),
    SelectChoice(4, _l("Donnerstag")), SelectChoice(5, _l("Freitag")), SelectChoice(6, _l("Samstag")),
    SelectChoice(7, _l("Sonntag")),
]
SECONDS_CHOICES = [
    SelectChoice(2, _l("2 Sekunden (schnell)")), SelectChoice(5, _l("5 Sekunden")),
    SelectChoice(10, _l("10 Sekunden")), SelectChoice(30, _l("30 Sekunden (gründlich)")),
]
PROBLEM_CHOICES = [
    SelectChoice(StopProblem.CLOSED.value, _l("Geschlossen")),
    SelectChoice(StopProblem.NO_ROOM.value, _l("Kein Platz")),
    SelectChoice(StopProblem.DAMAGED.value, _l("Ware beschädigt")),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _ends_after_start(start_field: str):
    def check(form, field):
        start = getattr(form, start_field).data
        if start and field.data and field.data <= start:
            raise ValidationError(_l("Das Ende muss nach dem Beginn liegen."))
    return check


class ScheduleForm(FlaskForm):
    weekdays = MultiCheckboxField(_l("Liefertage"), choices=WEEKDAY_CHOICES, coerce=int)
    cutoff_days_before = IntegerField(
        _l("Bestellschluss: Tage vorher"),
        validators=[InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 14, _l("Zwischen 0 und 14."))])
    cutoff_time = TimeField(_l("Bestellschluss: Uhrzeit"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben."))])
    hub_place_id = SelectField(_l("Lager (Start und Ziel der Touren)"), coerce=int,
                               validators=[InputRequired(_l("Bitte ein Lager wählen."))])
    service_seconds_per_stop = IntegerField(
        _l("Standzeit je Halt (Sekunden)"),
        validators=[InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 3600, _l("Zwischen 0 und 3600."))])
    service_seconds_per_crate = IntegerField(
        _l("Zeit je Kiste (Sekunden)"),
        validators=[InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 600, _l("Zwischen 0 und 600."))])
    dropoff_by = TimeField(_l("Anlieferung der Erzeuger am Lager bis (freiwillig)"), validators=[Optional()])
    dropoff_producer_ids = MultiCheckboxField(
        _l("Diese Erzeuger bringen ihre Waren bis dahin selbst zum Lager (die anderen holt eine Tour ab)"),
        coerce=int)


class VehicleForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Bitte einen Namen angeben.")), Length(max=120)])
    capacity_ambient = IntegerField(_l("Kisten ungekühlt"), validators=[
        InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 1000, _l("Zwischen 0 und 1000."))])
    capacity_chilled = IntegerField(_l("Kisten gekühlt"), validators=[
        InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 1000, _l("Zwischen 0 und 1000."))])
    capacity_frozen = IntegerField(_l("Kisten tiefgekühlt"), validators=[
        InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 1000, _l("Zwischen 0 und 1000."))])
    shift_start = TimeField(_l("Schichtbeginn"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben."))])
    shift_end = TimeField(_l("Schichtende"), validators=[
        InputRequired(_l("Bitte eine Uhrzeit angeben.")), _ends_after_start("shift_start")])
    cost_per_km_cents = IntegerField(_l("Kosten je km (Cent)"), validators=[
        InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 10000, _l("Zwischen 0 und 10000."))])
    cost_per_hour_cents = IntegerField(_l("Kosten je Stunde (Cent)"), validators=[
        InputRequired(_l("Bitte eine Zahl angeben.")), NumberRange(0, 100000, _l("Zwischen 0 und 100000."))])


class DoorWindowForm(FlaskForm):
    starts = TimeField(_l("Von"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben."))])
    ends = TimeField(_l("Bis"), validators=[InputRequired(_l("Bitte eine Uhrzeit angeben.")),
                                           _ends_after_start("starts")])


class PlanForm(FlaskForm):
    seconds = SelectField(_l("Rechenzeit je Teilproblem"), choices=SECONDS_CHOICES, coerce=int, default=5)


class EmptyForm(FlaskForm):
    """Buttons that only need the CSRF token (publish, confirm, activate)."""


class ProblemForm(FlaskForm):
    problem = SelectField(_l("Was ist passiert?"), choices=PROBLEM_CHOICES,
                          validators=[DataRequired(_l("Bitte auswählen."))])
    note = TextAreaField(_l("Notiz (freiwillig)"), validators=[Optional(), Length(max=500)])


class AssignForm(FlaskForm):
    """Driver and vehicle of one tour; the choices are the sub-region's drivers and active vehicles."""

    driver_id = SelectField(_l("Fahrer"), coerce=int, validators=[InputRequired(_l("Bitte einen Fahrer wählen."))])
    vehicle_id = SelectField(_l("Fahrzeug"), coerce=int,
                             validators=[InputRequired(_l("Bitte ein Fahrzeug wählen."))])

    def fill(self, drivers, vehicles) -> AssignForm:
        self.driver_id.choices = [SelectChoice(0, _l("– noch niemand –"))] + [
            SelectChoice(d.id, d.name or d.email) for d in drivers]
        self.vehicle_id.choices = [SelectChoice(v.id, v.name) for v in vehicles]
        return self


class EndTourForm(FlaskForm):
    """Back at the hub: what came back with the van."""

    # Own ids: the page shows this form beside the stop's problem forms, which have a `note` too.
    empty_crates = IntegerField(_l("Leere Kisten zurück"), validators=[Optional(), NumberRange(min=0, max=10_000)],
                                id="end-empty-crates")
    note = TextAreaField(_l("Was kommt zurück?"), validators=[Optional(), Length(max=1000)], id="end-note")


class FailedStopForm(FlaskForm):
    """Nothing could be handed over at the stop: why (required)."""

    note = TextAreaField(_l("Was ist passiert?"), validators=[DataRequired(_l("Bitte kurz schreiben, was passiert ist.")),
                                                           Length(max=1000)], id="failed-note")
