"""The producer's sales figures: a chart, a table and a CSV of its own lines over a chosen range."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired, ValidationError

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import role_required
from marketplace.catalog.portal import own_producer
from marketplace.core.clock import local_today, utcnow
from marketplace.reports import sales
from marketplace.reports.charts import stacked_column_chart
from marketplace.web.filters import money

bp = Blueprint("sales", __name__, url_prefix="/me/producer")


class SalesRangeForm(FlaskForm):
    """The range of delivery days (GET: it changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    von = DateField(_l("Von"), validators=[DataRequired()])
    bis = DateField(_l("Bis"), validators=[DataRequired()])

    def validate_bis(self, field) -> None:
        if self.von.data and field.data:
            if field.data < self.von.data:
                raise ValidationError(gettext("„Bis“ liegt vor „Von“."))
            if (field.data - self.von.data).days >= sales.MAX_DAYS:
                raise ValidationError(gettext("Bitte höchstens ein Jahr auf einmal wählen."))


def _range_form() -> SalesRangeForm:
    start, end = sales.default_range(local_today(utcnow()))
    form = SalesRangeForm(request.args, meta={"csrf": False})
    if "von" not in request.args and "bis" not in request.args:
        form = SalesRangeForm(formdata=None, von=start, bis=end)
    return form


def _chart(figures: sales.SalesFigures) -> str:
    return stacked_column_chart(
        sales.build_chart(figures, others=gettext("andere Produkte")),
        title=gettext("Umsatz je Woche"),
        description=gettext("Gestapelte Balken je Kalenderwoche, ein Muster je Produkt; die Tabelle darunter enthält dieselben Zahlen."),
        legend_label=gettext("Legende"), label=money, css_class="sales-chart",
    )


def _answer(kind: str):
    """The page or the CSV of the signed-in producer's figures; a bad range: the form again (422)."""
    producer = own_producer()
    form = _range_form()
    if not form.validate():
        return render_template("reports/sales.html", producer=producer, form=form, figures=None), 422
    figures = sales.get_sales_figures(producer.id, form.von.data, form.bis.data)
    if kind == "page":
        return render_template("reports/sales.html", producer=producer, form=form, figures=figures,
                               chart=_chart(figures))
    name = f"umsatz-{producer.slug}-{form.von.data.isoformat()}-{form.bis.data.isoformat()}.csv"
    return Response(sales.export_sales_csv(figures), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/sales")
@role_required(Role.PRODUCER)
def index():
    return _answer("page")


@bp.get("/sales.csv")
@role_required(Role.PRODUCER)
def download():
    return _answer("csv")
