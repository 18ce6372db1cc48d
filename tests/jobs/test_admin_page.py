"""`/admin/jobs`: region admins see each job's runs and failures; anyone else gets 404."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.core.clock import utcnow
from marketplace.jobs.registry import Job
from marketplace.jobs.runner import tick
from marketplace.jobs.schedule import Every
from tests.conftest import login


def _broken(now):
    raise ConnectionError("SMTP server did not answer")


def test_the_admin_sees_last_run_next_run_and_the_error(client, demo, register, counted):
    job, counter = counted
    register(job, Job("broken", Every(timedelta(minutes=1)), _broken))
    now = utcnow()
    tick(now=now)
    login(client, "admin@example.org")
    response = client.get("/admin/jobs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Sorted by name: "broken" comes first.
    row = html[html.index('id="job-count"'):]
    assert "alle 5 Minuten" in row and "in Ordnung" in row and "beim nächsten Takt" not in row
    broken = html[html.index('id="job-broken"'):html.index('id="job-count"')]
    assert "fehlgeschlagen" in broken and "ConnectionError: SMTP server did not answer" in broken
    assert "beim nächsten Takt" in broken
    assert "Geplante Aufgaben" in client.get("/me/admin").get_data(as_text=True)


def test_the_failed_notifications_are_linked_when_that_page_exists(app, client, demo):
    login(client, "admin@example.org")
    html = client.get("/admin/jobs").get_data(as_text=True)
    linked = 'href="/admin/notifications/failed"' in html
    assert linked == ("notifications.failed" in app.view_functions)


@pytest.mark.parametrize("email", ["resident@example.org", "coordinator@example.org", "driver@example.org",
                                   "producer@example.org", "salespoint@example.org"])
def test_anyone_but_a_region_admin_gets_404(client, demo, email):
    login(client, email)
    assert client.get("/admin/jobs").status_code == 404


def test_an_anonymous_visitor_gets_404(client, db):
    assert client.get("/admin/jobs").status_code == 404
