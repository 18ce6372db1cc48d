"""The development outbox, printed slips for staff, and failed notifications for region admins."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from marketplace.accounts.models import Role
from marketplace.accounts.permissions import role_required
from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.notifications import queries, services
from marketplace.notifications.forms import PreferencesForm
from marketplace.notifications.models import Notification
from marketplace.notifications.slip import slip_pdf
from marketplace.pickup.models import PickupPlace
from marketplace.web.errors import domain_message

bp = Blueprint("notifications", __name__)


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _outbox_item(notification: Notification, deliveries: int) -> dict:
    subject, text = services.texts_of(notification)
    return {
        "id": notification.id, "kind": notification.kind, "channel": str(notification.channel),
        "recipient": notification.address or notification.recipient.name, "subject": subject,
        "text": text, "state": str(notification.state), "attempts": notification.attempts,
        "deliveries": deliveries, "order_id": notification.order_id,
        "created_at": _iso(notification.created_at), "sent_at": _iso(notification.sent_at),
    }


def _dev_only() -> None:
    if not current_app.config.get("DEV_OUTBOX"):
        abort(404)


@bp.get("/dev/outbox")
def dev_outbox():
    _dev_only()
    items = [_outbox_item(n, d) for n, d in queries.list_outbox()]
    return render_template("notifications/outbox.html", items=items)


@bp.get("/dev/outbox.json")
def dev_outbox_json():
    _dev_only()
    return {"items": [_outbox_item(n, d) for n, d in queries.list_outbox()]}


# -- printed slips ------------------------------------------------------------------------------

def _visible_notification(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or not queries.can_see_notification(current_user, notification):
        abort(404)
    return notification


def _slip_parts(notification: Notification) -> dict:
    """The slip's texts, or None for both where the viewer may see that it was sent but not
    what it says (queries.can_read_notification)."""
    place = db.session.get(PickupPlace, notification.place_id) if notification.place_id else None
    subject, text = (services.texts_of(notification) if queries.can_read_notification(current_user, notification)
                     else (None, None))
    return {"subject": subject, "text": text, "recipient": notification.recipient, "place": place}


@bp.get("/zettel")
@role_required(Role.SALES_POINT_STAFF, Role.COORDINATOR)
def slips():
    notifications = queries.list_slips_to_print(
        place_ids=current_user.scopes(Role.SALES_POINT_STAFF),
        sub_region_ids=current_user.scopes(Role.COORDINATOR),
    )
    readable = {n.id for n in notifications if queries.can_read_notification(current_user, n)}
    return render_template("notifications/slips.html", notifications=notifications, readable=readable)


@bp.get("/zettel/<int:notification_id>")
@login_required
def slip(notification_id: int):
    notification = _visible_notification(notification_id)
    return render_template("notifications/slip.html", notification=notification, **_slip_parts(notification))


@bp.get("/zettel/<int:notification_id>.pdf")
@login_required
def slip_as_pdf(notification_id: int):
    notification = _visible_notification(notification_id)
    parts = _slip_parts(notification)
    if parts["text"] is None:
        abort(404)  # a slip without its text has nothing to print
    body = slip_pdf(
        title=parts["subject"], recipient=notification.recipient.name,
        lines=parts["text"].split("\n"),
        footer=gettext("Ausgedruckt für %(name)s", name=notification.recipient.name)
        + (f" · {parts['place'].name}" if parts["place"] else ""),
    )
    return body, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'inline; filename="landkorb-{notification.id}.pdf"',
    }


# -- failed notifications -------------------------------------------------------------------------

@bp.get("/admin/notifications/failed")
@role_required(Role.ADMIN)
def failed():
    notifications = queries.list_failed_in_regions(current_user.scopes(Role.ADMIN))
    return render_template("notifications/failed.html", notifications=notifications)


@bp.post("/admin/notifications/<int:notification_id>/resend")
@role_required(Role.ADMIN)
def resend(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or queries.get_region_id_of(notification) not in current_user.scopes(Role.ADMIN):
        abort(404)
    services.resend(notification, now=utcnow())
    db.session.commit()
    flash(gettext("Die Benachrichtigung wird erneut gesendet."), "success")
    return redirect(url_for("notifications.failed"))


# -- the resident's preferences ------------------------------------------------------------------

@bp.route("/konto/benachrichtigungen", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(data=None if request.method == "POST" else services.preferences_of(current_user))
    if form.validate_on_submit():
        try:
            services.set_preferences(
                current_user, channels=form.channels.data, language=form.language.data,
                phone=form.phone.data,
            )
        except DomainError as error:
            db.session.rollback()
            field = {"channels": form.channels, "language": form.language}.get(
                error.params.get("field"), form.phone)
            field.errors = [*field.errors, domain_message(error)]
        else:
            db.session.commit()
            flash(gettext("Gespeichert: So benachrichtigen wir Sie."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 422 if request.method == "POST" else 200
    return render_template("notifications/preferences.html", form=form), status
