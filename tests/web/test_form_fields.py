"""The form field macro: a screen reader reads a field's hint and its errors with the field."""
from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired(message="Bitte einen Namen."),
                                           Length(min=3, message="Mindestens 3 Zeichen.")])


def _render(app, form: _Form, hint: str | None = None) -> str:
    template = app.jinja_env.from_string(
        '{% from "_macros/forms.html" import field %}{{ field(form.name, hint=hint) }}')
    return template.render(form=form, hint=hint)


def _input(html: str) -> str:
    return re.search(r"<input[^>]*>", html).group(0)


def test_a_hint_is_named_by_the_field(app):
    with app.test_request_context():
        html = _render(app, _Form(), hint="Wie auf dem Klingelschild.")
    assert 'id="name-hint"' in html
    assert 'aria-describedby="name-hint"' in _input(html)
    assert "aria-invalid" not in _input(html)


def test_errors_and_the_hint_are_named_together_and_each_id_is_there_once(app):
    with app.test_request_context(method="POST", data={"name": ""}):
        form = _Form()
        form.validate()
        form.name.errors = ["Bitte einen Namen.", "Mindestens 3 Zeichen."]
        html = _render(app, form, hint="Wie auf dem Klingelschild.")
    field = _input(html)
    assert 'aria-invalid="true"' in field and 'aria-describedby="name-hint name-error"' in field
    assert html.count('id="name-error"') == 1
    assert "Bitte einen Namen. Mindestens 3 Zeichen." in html


def test_a_field_without_hint_or_error_names_nothing(app):
    with app.test_request_context():
        html = _render(app, _Form())
    assert "aria-describedby" not in _input(html) and "hint" not in html
