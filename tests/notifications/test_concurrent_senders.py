"""Two sender processes at once against one PostgreSQL database send each message exactly once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.notifications.models import Notification, NotificationDelivery
from tests import factories as f
from tests.notifications.smtp_server import start_smtp_server

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.mark.postgresql
@pytest.mark.slow
def test_two_senders_started_together_send_each_of_200_messages_exactly_once(db, database_url, tmp_path):
    users = [f.make_user(phone=f"+4915123456{n:03d}") for n in range(20)]
    for n in range(200):
        f.make_notification(users[n % 20], channel="email" if n % 2 else "sms")
    db.session.commit()
    controller, smtp = start_smtp_server()
    sms_file = tmp_path / "sms.jsonl"
    env = {
        **os.environ, "LANDKORB_ENV": "development", "DATABASE_URL": database_url,
        "MAIL_SERVER": controller.hostname, "MAIL_PORT": str(controller.port),
        "SMS_GATEWAY": "dev", "SMS_DEV_FILE": str(sms_file),
    }
    env.pop("LANDKORB_CLOCK", None)
    try:
        # Each may claim 100: both must take part, and neither may take what the other holds.
        senders = [
            subprocess.Popen([FLASK, "--app", "wsgi", "notifications", "send", "--limit", "100"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [sender.communicate(timeout=120) for sender in senders]
    finally:
        time.sleep(0.2)
        controller.stop()
    for sender, (_out, err) in zip(senders, outputs, strict=True):
        assert sender.returncode == 0, err
    assert sorted(out.strip() for out, _ in outputs) == ["100 sent", "100 sent"]

    email_ids = Counter(int(message["X-Landkorb-Notification"]) for _, _, message in smtp.messages)
    sms_ids = Counter(json.loads(line)["id"] for line in sms_file.read_text().splitlines())
    assert len(email_ids) == 100 and set(email_ids.values()) == {1}
    assert len(sms_ids) == 100 and set(sms_ids.values()) == {1}
    all_ids = set(db.session.scalars(select(Notification.id)))
    assert set(email_ids) | set(sms_ids) == all_ids
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NotificationDelivery)) == 200
    assert set(db.session.scalars(select(Notification.state))) == {"sent"}
