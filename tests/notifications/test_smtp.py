"""E-mail through a real SMTP exchange with a local server started by the test (aiosmtpd)."""
from __future__ import annotations

import pytest

from marketplace.notifications.sender import send_due
from tests import factories as f
from tests.conftest import NOW
from tests.notifications.smtp_server import start_smtp_server


@pytest.fixture
def smtp(app, monkeypatch):
    controller, collector = start_smtp_server()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", controller.hostname)
    state = app.extensions["mailman"]
    for name, value in {"backend": "smtp", "server": controller.hostname, "port": controller.port,
                        "use_tls": False, "timeout": 10}.items():
        monkeypatch.setattr(state, name, value)
    yield collector
    controller.stop()


def test_an_email_goes_through_a_real_smtp_exchange(db, app, smtp):
    user = f.make_user(email="hildegard@example.org", locale="de")
    notification = f.make_notification(user, kind="order_confirmed", channel="email")
    db.session.commit()
    assert send_due(now=NOW) == 1
    ((mail_from, rcpt_tos, message),) = smtp.messages
    assert rcpt_tos == ["hildegard@example.org"]
    assert "noreply@landkorb.example" in mail_from
    assert message["Subject"] == "Bestellung LK-WXYZ-ABCD bestätigt"
    assert message["X-Landkorb-Notification"] == str(notification.id)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Dorfgemeinschaftshaus Oberdürenbach" in plain and "<li>" in html
    db.session.refresh(notification)
    assert (notification.state, len(notification.deliveries)) == ("sent", 1)


def test_an_smtp_server_that_is_down_means_a_retry(db, app, smtp, monkeypatch):
    from marketplace.notifications.sender import BACKOFF
    from tests.notifications.smtp_server import free_port

    monkeypatch.setattr(app.extensions["mailman"], "port", free_port())  # nobody listens there
    notification = f.make_notification(channel="email")
    db.session.commit()
    assert send_due(now=NOW) == 0
    db.session.refresh(notification)
    assert (notification.state, notification.due_at) == ("queued", NOW + BACKOFF[0])
    assert "ConnectionRefusedError" in notification.last_error
