"""The sender: claims due outbox rows, sends them, marks them sent; retries with back-off.

`send_due` is a plain service; `flask notifications send` and the scheduled jobs call it.
Exactly once: a row is claimed by one atomic UPDATE (its candidates chosen with
`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers), with a claim token and a
`claimed_until`. Only the holder of the token may mark it sent. A claim whose time ran out (a
sender that crashed between claiming and marking) is taken over by the next sender.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.notifications.channels import Outgoing, get_sender
from marketplace.notifications.kinds import render
from marketplace.notifications.models import (
    Channel,
    Notification,
    NotificationDelivery,
    NotificationState,
)

log = logging.getLogger(__name__)

# After the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
_table = Notification.__table__
_c = _table.c


def _due(now: datetime):
    return or_(
        and_(_c.state == NotificationState.QUEUED.value, _c.due_at <= now),
        and_(_c.state == NotificationState.SENDING.value, _c.claimed_until < now),
    )


def claim_due(*, now: datetime, limit: int, token: str) -> list[Outgoing | Unrenderable]:
    """Claim up to `limit` due rows for `token`, render them, commit; returns what to send."""
    timeout = timedelta(seconds=current_app.config["NOTIFICATION_CLAIM_TIMEOUT_S"])
    # A materialised CTE: PostgreSQL could otherwise run an IN (… LIMIT …) subquery again per
    # row of the UPDATE and, skipping the rows it just locked, claim more than `limit`.
    candidates = (
        select(_c.id).where(_due(now)).order_by(_c.due_at, _c.id).limit(limit)
        .with_for_update(skip_locked=True).cte("candidates")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    claimed = db.session.execute(
        update(_table).where(_c.id.in_(select(candidates.c.id)), _due(now))
        .values(state=NotificationState.SENDING.value, claim_token=token,
                claimed_until=now + timeout, attempts=_c.attempts + 1)
        .returning(_c.id)
    ).scalars().all()
    rows = db.session.scalars(
        select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)
        .options(selectinload(Notification.recipient)).execution_options(populate_existing=True)
    ).all() if claimed else []
    outgoing = [_render(row) for row in rows]
    db.session.commit()
    return outgoing


@dataclass(frozen=True)
class Unrenderable:
    notification_id: int
    error: str


def _render(row: Notification) -> Outgoing | Unrenderable:
    try:
        texts = render(row.kind, row.context, row.recipient.locale)
    except Exception as error:  # a broken template must not stop the other messages
        log.exception("notification %s could not be rendered", row.id)
        return Unrenderable(row.id, f"{type(error).__name__}: {error}")
    return Outgoing(
        notification_id=row.id, address=row.address, subject=texts.subject,
        text=texts.sms if row.channel == Channel.SMS else texts.text, html=texts.html, sms=texts.sms,
        channel=row.channel,
    )


def _mark_sent(message: Outgoing, reference: str, *, token: str, now: datetime) -> bool:
    result = db.session.execute(
        update(_table).where(_c.id == message.notification_id, _c.claim_token == token)
        .values(state=NotificationState.SENT.value, sent_at=now, subject=message.subject[:300],
                text=message.text, claim_token=None, claimed_until=None, last_error=None)
    )
    # The channel accepted it: that counts, even if our claim ran out meanwhile.
    db.session.add(NotificationDelivery(
        notification_id=message.notification_id, at=now, reference=reference[:200]
    ))
    db.session.commit()
    return result.rowcount == 1


def _record_failure(notification_id: int, error: str, *, token: str, now: datetime) -> None:
    attempts = db.session.scalar(select(_c.attempts).where(_c.id == notification_id)) or MAX_ATTEMPTS
    if attempts >= MAX_ATTEMPTS:
        values = {"state": NotificationState.FAILED.value}
    else:
        values = {"state": NotificationState.QUEUED.value, "due_at": now + BACKOFF[attempts - 1]}
    db.session.execute(
        update(_table).where(_c.id == notification_id, _c.claim_token == token)
        .values(**values, last_error=error[:2000], claim_token=None, claimed_until=None)
    )
    db.session.commit()


def send_due(*, now: datetime, limit: int = 100) -> int:
    """Send up to `limit` due notifications once each; returns how many were sent."""
    token = uuid.uuid4().hex
    sent = 0
    for message in claim_due(now=now, limit=limit, token=token):
        if isinstance(message, Unrenderable):
            _record_failure(message.notification_id, message.error, token=token, now=now)
            continue
        try:
            reference = get_sender(message.channel).send(message)
        except Exception as error:  # any failure of a channel is retried on schedule
            log.warning("notification %s not sent: %s", message.notification_id, error)
            db.session.rollback()
            _record_failure(message.notification_id, f"{type(error).__name__}: {error}", token=token, now=now)
            continue
        _mark_sent(message, reference or "", token=token, now=now)
        sent += 1
    return sent
