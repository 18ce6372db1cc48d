"""Writing to the outbox (`notify`, in the caller's transaction), resending, and preferences."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from marketplace.accounts.models import User
from marketplace.core.clock import utcnow
from marketplace.core.errors import N_, Conflict, InvalidInput
from marketplace.extensions import db
from marketplace.notifications.channels import enabled_channels
from marketplace.notifications.kinds import LANGUAGES, check_context, get_kind, render
from marketplace.notifications.models import Channel, Notification, NotificationState
from marketplace.notifications.phones import german_mobile, normalise_phone

DEFAULT_CHANNELS = (Channel.EMAIL,)


class InvalidPreference(InvalidInput):
    code = "invalid_preferences"
    message = N_("Der Wert für „%(field)s“ ist ungültig.")


class SmsNeedsMobile(InvalidInput):
    code = "sms_needs_mobile"
    message = N_("Für SMS brauchen wir eine deutsche Handynummer.")


class NotFailed(Conflict):
    code = "not_failed"
    message = N_("Nur eine fehlgeschlagene Benachrichtigung kann erneut gesendet werden.")


def address_for(user: User, channel: Channel) -> str | None:
    """Where `channel` reaches `user` now (None: it does not): e-mail, E.164 mobile, or a slip."""
    if channel == Channel.EMAIL:
        return user.email or None
    if channel == Channel.SMS:
        return german_mobile(user.phone)
    return ""


def choose_channels(user: User, wanted=None) -> list[Channel]:
    """The channels a message to `user` goes through: their choice (or `wanted`), as far as a
    channel is on and reaches them; e-mail, else a printed slip, when none is left."""
    enabled = enabled_channels()
    chosen = [Channel(c) for c in (wanted or user.notify_channels or DEFAULT_CHANNELS)]
    usable = [c for c in dict.fromkeys(chosen) if c in enabled and address_for(user, c) is not None]
    if usable:
        return usable
    if Channel.EMAIL in enabled and address_for(user, Channel.EMAIL):
        return [Channel.EMAIL]
    return [Channel.SLIP]


def how_told(user: User) -> list[tuple[Channel, str]]:
    """The channels a message to `user` goes through now, with the address each reaches."""
    return [(channel, address_for(user, channel)) for channel in choose_channels(user)]


def notify(
    recipient: User, kind: str, context: dict, *, channels=None, order_id: int | None = None,
    place_id: int | None = None, now: datetime | None = None,
) -> list[Notification]:
    """Write one outbox row per channel, in the caller's transaction (nothing is flushed here).

    A rolled-back change sends nothing: the sender only sees committed rows. `context` holds
    plain JSON values; the texts are rendered when the message is sent. `place_id` names the
    sales point where a slip is printed."""
    check_context(kind, context)  # here, in the caller, rather than when it is sent
    now = now or utcnow()
    rows = [
        Notification(
            kind=kind, channel=channel, recipient=recipient, address=address_for(recipient, channel),
            context=context, order_id=order_id, place_id=place_id, state=NotificationState.QUEUED,
            attempts=0, due_at=now, created_at=now,
        )
        for channel in choose_channels(recipient, channels)
    ]
    db.session.add_all(rows)
    return rows


def supersede_queued(*, order_id: int, kind: str, new_kind: str, context: dict) -> int:
    """Turn the queued, never-tried notifications of `kind` about an order into `new_kind`;
    returns how many. A confirmation that overtakes its placement notice then goes out alone
    (an order confirmed on placement sends only the confirmation)."""
    get_kind(new_kind)
    result = db.session.execute(
        update(Notification)
        .where(Notification.order_id == order_id, Notification.kind == kind,
               Notification.state == NotificationState.QUEUED, Notification.attempts == 0)
        .values(kind=new_kind, context=context)
    )
    return result.rowcount


def resend(notification: Notification, *, now: datetime) -> Notification:
    """Queue a failed notification again, from its first attempt; flushes."""
    if notification.state != NotificationState.FAILED:
        raise NotFailed()
    notification.state = NotificationState.QUEUED
    notification.attempts = 0
    notification.due_at = now
    notification.claim_token = None
    notification.claimed_until = None
    db.session.flush()
    return notification


# -- preferences ------------------------------------------------------------------------------

def preferences_of(user: User) -> dict:
    return {
        "channels": [str(c) for c in (user.notify_channels or DEFAULT_CHANNELS)],
        "language": user.locale if user.locale in LANGUAGES else LANGUAGES[0],
        "phone": normalise_phone(user.phone) or user.phone or "",
    }


def _check_channels(value) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        raise InvalidPreference(field="channels")
    try:
        return [str(Channel(c)) for c in dict.fromkeys(value)]
    except ValueError:
        raise InvalidPreference(field="channels") from None


def _check_phone(value) -> str | None:
    if value is None or value == "":
        return None
    phone = normalise_phone(value) if isinstance(value, str) else None
    if phone is None:
        raise InvalidPreference(field="phone")
    return phone


_UNSET = object()


def set_preferences(user: User, *, channels=_UNSET, language=_UNSET, phone=_UNSET) -> User:
    """Change what is given (all checked first: a refusal changes nothing); flushes.

    `phone` is stored in E.164; SMS needs a German mobile number."""
    new_channels = user.notify_channels if channels is _UNSET else _check_channels(channels)
    if language is not _UNSET and language not in LANGUAGES:
        raise InvalidPreference(field="language")
    new_phone = user.phone if phone is _UNSET else _check_phone(phone)
    if Channel.SMS in (new_channels or ()) and german_mobile(new_phone) is None:
        raise SmsNeedsMobile()
    user.notify_channels = new_channels
    if language is not _UNSET:
        user.locale = language
    user.phone = new_phone
    db.session.flush()
    return user


def texts_of(notification: Notification) -> tuple[str, str]:
    """Subject and text as sent, or as they would be sent now (rendered in the recipient's language)."""
    if notification.subject is not None and notification.text is not None:
        return notification.subject, notification.text
    texts = render(notification.kind, notification.context, notification.recipient.locale)
    return texts.subject, texts.sms if notification.channel == Channel.SMS else texts.text
