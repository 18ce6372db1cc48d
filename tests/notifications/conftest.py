"""Each notification test starts with an empty mail outbox (Flask-Mailman's locmem backend)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def empty_mail_outbox(app):
    app.extensions["mailman"].outbox = []
    yield
    app.extensions["mailman"].outbox = []
