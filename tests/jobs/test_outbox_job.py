"""The outbox as a scheduled job: `jobs tick` sends what is due, once, however many ticks run."""
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
from tests.conftest import NOW
from tests.notifications.smtp_server import start_smtp_server

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


def _queue(db, emails: int, texts: int) -> set[int]:
    users = [f.make_user(phone=f"+4915123456{n:03d}") for n in range(20)]
    for n in range(emails):
        f.make_notification(users[n % 20], channel="email")
    for n in range(texts):
        f.make_notification(users[n % 20], channel="sms")
    db.session.commit()
    return set(db.session.scalars(select(Notification.id)))


def test_a_tick_sends_the_due_outbox_once(runner, db, app):
    _queue(db, emails=3, texts=0)
    app.extensions["mailman"].outbox = []
    result = runner.invoke(args=["jobs", "tick", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert "send_outbox: ran (3)" in result.output
    assert len(app.extensions["mailman"].outbox) == 3
    again = runner.invoke(args=["jobs", "tick", "--now", NOW.isoformat()])
    assert "send_outbox: not_due" in again.output and len(app.extensions["mailman"].outbox) == 3
    app.extensions["mailman"].outbox = []


@pytest.mark.postgresql
@pytest.mark.slow
def test_two_tick_processes_send_each_of_200_queued_messages_exactly_once(db, database_url, tmp_path):
    ids = _queue(db, emails=100, texts=100)
    assert len(ids) == 200
    controller, smtp = start_smtp_server()
    sms_file = tmp_path / "sms.jsonl"
    env = {**os.environ, "LANDKORB_ENV": "development", "DATABASE_URL": database_url,
           "MAIL_SERVER": controller.hostname, "MAIL_PORT": str(controller.port), "SMS_GATEWAY": "dev",
           "SMS_DEV_FILE": str(sms_file)}
    env.pop("REDIS_URL", None)
    env.pop("LANDKORB_CLOCK", None)
    try:
        ticks = [subprocess.Popen([FLASK, "--app", "wsgi", "jobs", "tick", "--now", NOW.isoformat()],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outputs = [tick.communicate(timeout=120) for tick in ticks]
    finally:
        time.sleep(0.2)  # the last message's DATA may still be in the server's hands
        controller.stop()
    for tick, (_out, err) in zip(ticks, outputs, strict=True):
        assert tick.returncode == 0, err
    lines = sorted(line for out, _ in outputs for line in out.splitlines() if line.startswith("send_outbox"))
    # One tick sends all 200; the other finds the job leased (or, if it came late, done).
    assert lines[1] == "send_outbox: ran (200)"
    assert lines[0].split()[1] in ("locked", "not_due")
    mailed = Counter(int(message["X-Landkorb-Notification"]) for _, _, message in smtp.messages)
    texted = Counter(json.loads(line)["id"] for line in sms_file.read_text().splitlines())
    assert len(mailed) == 100 and set(mailed.values()) == {1}
    assert len(texted) == 100 and set(texted.values()) == {1}
    assert set(mailed) | set(texted) == ids
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(NotificationDelivery)) == 200
    assert set(db.session.scalars(select(Notification.state))) == {"sent"}
