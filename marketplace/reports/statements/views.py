"""A producer's monthly payout statement: page, PDF and CSV, for its own staff only."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from marketplace.accounts.permissions import can_act_for_producer
from marketplace.catalog.models import Producer
from marketplace.core.clock import local_today, utcnow
from marketplace.extensions import db
from marketplace.reports import statements

bp = Blueprint("statements", __name__, url_prefix="/erzeuger/<int:producer_id>/abrechnung")


def _load(producer_id: int, month: str | None = None):
    producer = db.session.get(Producer, producer_id)
    if producer is None or not can_act_for_producer(current_user, producer.id):
        abort(404)
    if month is None:
        return producer, None
    first = statements.parse_month(month)
    if first is None:
        abort(404)
    return producer, statements.get_statement(producer=producer, month=first)


@bp.get("")
@login_required
def current(producer_id: int):
    producer, _ = _load(producer_id)
    month = f"{local_today(utcnow()):%Y-%m}"
    return redirect(url_for("statements.page", producer_id=producer.id, month=month))


@bp.get("/<month>")
@login_required
def page(producer_id: int, month: str):
    producer, statement = _load(producer_id, month)
    return render_template(
        "reports/statement.html", producer=producer, statement=statement,
        previous=statements.previous_month(statement.month),
        following=statements.next_month(statement.month),
        fee_invoices=statements.list_fee_invoices(producer.id, [line.order_id for line in statement.lines]),
    )


@bp.get("/<month>.csv")
@login_required
def csv(producer_id: int, month: str):
    producer, statement = _load(producer_id, month)
    return Response(statements.statement_csv(statement), headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="abrechnung-{producer.slug}-{month}.csv"',
    })


@bp.get("/<month>.pdf")
@login_required
def pdf(producer_id: int, month: str):
    producer, statement = _load(producer_id, month)
    data = statements.statement_pdf(statement, locale=str(get_locale() or "de"))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="abrechnung-{producer.slug}-{month}.pdf"'})
