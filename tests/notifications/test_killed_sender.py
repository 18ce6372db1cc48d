"""A sender process killed in the middle of sending leaves its claim; the next sender takes it over."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from marketplace.notifications.sender import send_due
from tests import factories as f
from tests.conftest import NOW
from tests.notifications.smtp_server import start_stalling_smtp_server

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.mark.slow
def test_a_claim_left_by_a_killed_sender_process_is_taken_over(db, app, database_url):
    notification = f.make_notification(channel="email")
    db.session.commit()
    controller, stalling = start_stalling_smtp_server()
    env = {**os.environ, "LANDKORB_ENV": "development", "DATABASE_URL": database_url,
           "LANDKORB_CLOCK": NOW.isoformat(), "MAIL_SERVER": controller.hostname,
           "MAIL_PORT": str(controller.port)}
    sender = subprocess.Popen([FLASK, "--app", "wsgi", "notifications", "send"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert stalling.reached.wait(timeout=60), "the sender never reached the SMTP server"
        os.kill(sender.pid, signal.SIGKILL)  # killed between claiming and marking sent
        sender.wait(timeout=10)
    finally:
        if sender.poll() is None:
            sender.kill()
        controller.stop()
    db.session.refresh(notification)
    assert (notification.state, notification.attempts) == ("sending", 1)
    assert notification.claimed_until == NOW + timedelta(seconds=app.config["NOTIFICATION_CLAIM_TIMEOUT_S"])

    assert send_due(now=notification.claimed_until) == 0  # the claim still stands
    assert send_due(now=notification.claimed_until + timedelta(seconds=1)) == 1
    db.session.refresh(notification)
    assert (notification.state, notification.attempts, notification.claim_token) == ("sent", 2, None)
    assert len(app.extensions["mailman"].outbox) == 1
