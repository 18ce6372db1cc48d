"""The sender: due rows once each, failures retried after 1, 5, 30 and 120 minutes, stale claims taken over."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.notifications import sender as sender_module
from marketplace.notifications.models import Notification
from marketplace.notifications.sender import claim_due, send_due
from tests import factories as f
from tests.conftest import NOW


class BrokenChannel:
    def send(self, message):
        raise ConnectionRefusedError("gateway down")


@pytest.fixture
def sms_file(app, tmp_path, monkeypatch):
    path = tmp_path / "sms.jsonl"
    monkeypatch.setitem(app.config, "SMS_DEV_FILE", str(path))
    return path


def _sms_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_a_failing_channel_is_retried_on_schedule_and_ends_as_failed_with_its_error(db, monkeypatch):
    notification = f.make_notification(channel="sms")
    db.session.commit()
    monkeypatch.setattr(sender_module, "get_sender", lambda channel: BrokenChannel())
    now = NOW
    for attempt, wait in enumerate([1, 5, 30, 120], start=1):
        assert send_due(now=now) == 0
        db.session.refresh(notification)
        assert (notification.state, notification.attempts) == ("queued", attempt)
        assert notification.due_at == now + timedelta(minutes=wait)
        assert notification.last_error == "ConnectionRefusedError: gateway down"
        # Not before it is due:
        assert send_due(now=notification.due_at - timedelta(seconds=1)) == 0
        db.session.refresh(notification)
        assert notification.attempts == attempt
        now = notification.due_at
    assert send_due(now=now) == 0
    db.session.refresh(notification)
    assert (notification.state, notification.attempts) == ("failed", 5)
    assert notification.last_error == "ConnectionRefusedError: gateway down"
    assert send_due(now=now + timedelta(days=1)) == 0  # failed stays failed
    assert notification.deliveries == []


def test_a_retry_that_succeeds_sends_once(db, monkeypatch, sms_file):
    notification = f.make_notification(channel="sms")
    db.session.commit()
    with monkeypatch.context() as patch:
        patch.setattr(sender_module, "get_sender", lambda channel: BrokenChannel())
        send_due(now=NOW)
    assert send_due(now=NOW + timedelta(minutes=1)) == 1
    db.session.refresh(notification)
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 2, None)
    assert [line["id"] for line in _sms_lines(sms_file)] == [notification.id]


def test_a_claimed_row_is_not_sent_by_another_sender(db, sms_file):
    notification = f.make_notification(channel="sms")
    db.session.commit()
    claimed = claim_due(now=NOW, limit=10, token="a" * 32)
    assert [m.notification_id for m in claimed] == [notification.id]
    assert send_due(now=NOW + timedelta(seconds=60)) == 0  # its claim still runs
    assert _sms_lines(sms_file) == []


def test_a_claim_left_by_a_killed_sender_is_taken_over_after_the_timeout(db, app, sms_file):
    notification = f.make_notification(channel="sms")
    db.session.commit()
    claim_due(now=NOW, limit=10, token="b" * 32)  # … and then the sender died
    timeout = timedelta(seconds=app.config["NOTIFICATION_CLAIM_TIMEOUT_S"])
    assert send_due(now=NOW + timeout) == 0
    assert send_due(now=NOW + timeout + timedelta(seconds=1)) == 1
    db.session.refresh(notification)
    assert (notification.state, notification.attempts, notification.claim_token) == ("sent", 2, None)
    assert [line["id"] for line in _sms_lines(sms_file)] == [notification.id]
    # Were the dead sender to wake up, its token would mark nothing.
    assert sender_module._record_failure(notification.id, "late", token="b" * 32, now=NOW) is None
    db.session.refresh(notification)
    assert notification.state == "sent"


def test_send_due_takes_at_most_limit_rows_in_order(db, sms_file):
    user = f.make_user(phone="+4915123456789")
    rows = [f.make_notification(user, channel="sms") for _ in range(5)]
    db.session.commit()
    assert send_due(now=NOW, limit=2) == 2
    assert send_due(now=NOW, limit=10) == 3
    assert sorted(line["id"] for line in _sms_lines(sms_file)) == sorted(r.id for r in rows)
    sent = db.session.scalars(select(Notification.state)).all()
    assert set(sent) == {"sent"}


def test_the_cli_sends_what_is_due(db, runner, sms_file):
    f.make_notification(channel="sms")
    db.session.commit()
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 sent"
    assert len(_sms_lines(sms_file)) == 1


def test_the_http_sms_gateway_posts_json_with_its_token(db, app, monkeypatch):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Authorization"], json.loads(body)))
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "msg-42"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMS_GATEWAY", "http")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_port}/sms")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "s3cret")
    try:
        notification = f.make_notification(channel="sms")
        db.session.commit()
        assert send_due(now=NOW) == 1
    finally:
        server.shutdown()
        thread.join(timeout=5)
    ((path, authorization, body),) = received
    assert (path, authorization) == ("/sms", "Bearer s3cret")
    assert body["to"] == notification.address and body["reference"] == str(notification.id)
    assert body["text"].startswith("Landkorb: Bestellung LK-WXYZ-ABCD eingegangen.")
    db.session.refresh(notification)
    assert [d.reference for d in notification.deliveries] == ["msg-42"]


def test_a_notification_that_cannot_be_rendered_is_retried_without_stopping_the_others(db, sms_file):
    broken = f.make_notification(channel="sms", context={"order_number": "LK-1"})  # no delivery_date
    fine = f.make_notification(channel="sms")
    db.session.commit()
    assert send_due(now=NOW) == 1
    db.session.refresh(broken)
    db.session.refresh(fine)
    assert (fine.state, broken.state, broken.attempts) == ("sent", "queued", 1)
    assert broken.last_error.startswith("MissingContext: order_placed needs cutoff_at, delivery_date")
