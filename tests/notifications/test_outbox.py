"""notify: one outbox row per channel in the caller's transaction; channels as the resident chose."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.notifications.models import Notification, NotificationDelivery
from marketplace.notifications.sender import send_due
from marketplace.notifications.services import choose_channels, notify
from tests import factories as f
from tests.conftest import NOW

CONTEXT = {
    "order_number": "LK-2345-6789", "resident_name": "Erna Beispiel", "delivery_date": "2026-03-03",
    "cutoff_at": "2026-03-02T17:00:00+00:00", "total_cents": 1250, "fulfilment": "station",
    "place_name": "Paketstation Dorfplatz", "door_town": None,
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_notification_written_in_a_rolled_back_transaction_is_never_sent(db, app):
    user = f.make_user()
    db.session.commit()
    notify(user, "order_placed", CONTEXT, now=NOW)
    db.session.flush()
    assert _count(Notification) == 1  # written in the transaction …
    db.session.rollback()  # … which the change it told about gave up
    assert send_due(now=NOW, limit=100) == 0
    assert _count(Notification) == 0
    assert _count(NotificationDelivery) == 0
    assert app.extensions["mailman"].outbox == []


def test_a_committed_notification_is_sent_once(db, app):
    user = f.make_user(email="erna@example.org")
    notify(user, "order_placed", CONTEXT, now=NOW)
    db.session.commit()
    assert send_due(now=NOW) == 1
    assert send_due(now=NOW) == 0
    (mail,) = app.extensions["mailman"].outbox
    assert mail.to == ["erna@example.org"]
    assert mail.subject == "Bestellung LK-2345-6789 eingegangen"
    assert "Paketstation Dorfplatz" in mail.body
    assert mail.alternatives[0][1] == "text/html"
    row = db.session.scalars(select(Notification)).one()
    assert (row.state, row.attempts, row.sent_at, len(row.deliveries)) == ("sent", 1, NOW, 1)


def test_the_text_is_in_the_recipients_language(db, app):
    user = f.make_user(locale="en")
    notify(user, "order_confirmed", CONTEXT, now=NOW)
    db.session.commit()
    send_due(now=NOW)
    (mail,) = app.extensions["mailman"].outbox
    assert mail.subject == "Order LK-2345-6789 confirmed"


def test_sending_respects_the_residents_choice(db):
    both = f.make_user(phone="+4915123456789", notify_channels=["sms", "email"])
    assert [str(c) for c in choose_channels(both)] == ["sms", "email"]
    landline = f.make_user(phone="02636 1234", notify_channels=["sms"])
    assert [str(c) for c in choose_channels(landline)] == ["email"]  # no mobile: e-mail instead
    slip = f.make_user(notify_channels=["slip"])
    assert [str(c) for c in choose_channels(slip)] == ["slip"]
    rows = notify(both, "order_placed", CONTEXT, now=NOW)
    assert [(str(r.channel), r.address) for r in rows] == [("sms", "+4915123456789"), ("email", both.email)]


def test_a_resident_with_neither_email_nor_mobile_gets_a_slip(db):
    user = f.make_user(phone="02636 1234", notify_channels=["email", "sms"])
    user.email = ""
    assert [str(c) for c in choose_channels(user)] == ["slip"]


def test_without_mail_settings_email_is_off_and_slips_take_over(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "SMS_GATEWAY", None)
    user = f.make_user(phone="+4915123456789", notify_channels=["email", "sms"])
    assert [str(c) for c in choose_channels(user)] == ["slip"]


def test_notify_refuses_an_unknown_kind_or_a_context_the_texts_cannot_use(db):
    from datetime import date

    import pytest

    from marketplace.notifications.kinds import MissingContext, UnknownKind

    user = f.make_user()
    with pytest.raises(UnknownKind):
        notify(user, "order_teleported", CONTEXT, now=NOW)
    with pytest.raises(MissingContext):
        notify(user, "order_placed", {"order_number": "LK-1"}, now=NOW)
    with pytest.raises(TypeError):
        notify(user, "order_placed", {**CONTEXT, "delivery_date": date(2026, 3, 3)}, now=NOW)
    assert _count(Notification) == 0
