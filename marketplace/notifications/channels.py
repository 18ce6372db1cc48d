"""The channels a notification goes through, each behind one small interface: `send(message)`.

E-mail goes through Flask-Mailman (SMTP from MAIL_*; the console in development; off in
production without MAIL_SERVER). SMS goes through SMS_GATEWAY: `dev` logs it (and appends it to
SMS_DEV_FILE when set), `http` posts JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN; no gateway
means SMS is off. A printed slip is accepted at once: it waits for a sales point to print it.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Protocol

import requests
from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, Mail

from marketplace.notifications.models import Channel

log = logging.getLogger(__name__)
mail = Mail()


@dataclass(frozen=True)
class Outgoing:
    """What one channel sends: the texts already rendered, and where to."""

    notification_id: int
    channel: Channel
    address: str
    subject: str
    text: str
    html: str
    sms: str


class ChannelRefused(Exception):
    """The channel did not accept the message (it is retried later)."""


class Sender(Protocol):
    def send(self, message: Outgoing) -> str:
        """Hand the message over; returns the channel's reference, raises on failure."""


class EmailSender:
    def send(self, message: Outgoing) -> str:
        email = EmailMultiAlternatives(
            subject=message.subject, body=message.text, to=[message.address],
            from_email=current_app.config["MAIL_FROM"],
            headers={"X-Landkorb-Notification": str(message.notification_id)},
        )
        email.attach_alternative(message.html, "text/html")
        if email.send() != 1:
            raise ChannelRefused("the mail backend sent nothing")
        return "smtp" if current_app.config.get("MAIL_BACKEND") == "smtp" else "mail"


class DevSmsGateway:
    def send(self, message: Outgoing) -> str:
        log.info("SMS to %s: %s", message.address, message.sms)
        path = current_app.config.get("SMS_DEV_FILE")
        if path:
            line = json.dumps({"id": message.notification_id, "to": message.address, "text": message.sms})
            with open(path, "a", encoding="utf-8") as file:
                file.write(line + "\n")  # one write of one line: appends from many processes stay whole
        return f"dev-{message.notification_id}"


class HttpSmsGateway:
    """Posts `{"to", "text", "reference"}` with a bearer token; a provider's adapter answers 2xx."""

    def send(self, message: Outgoing) -> str:
        config = current_app.config
        try:
            response = requests.post(
                config["SMS_GATEWAY_URL"],
                json={"to": message.address, "text": message.sms, "reference": str(message.notification_id)},
                headers={"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN'] or ''}"},
                timeout=15,
            )
        except requests.RequestException as error:
            raise ChannelRefused(f"SMS gateway unreachable: {error}") from error
        if not response.ok:
            raise ChannelRefused(f"SMS gateway answered {response.status_code}: {response.text[:200]}")
        try:
            return str(response.json().get("id", ""))[:200]
        except (ValueError, AttributeError):
            return ""


class SlipQueue:
    def send(self, message: Outgoing) -> str:
        return "slip"


def is_email_enabled(config) -> bool:
    return config.get("MAIL_BACKEND") != "smtp" or bool(config.get("MAIL_SERVER"))


def is_sms_enabled(config) -> bool:
    gateway = config.get("SMS_GATEWAY")
    if gateway == "dev":
        return config.get("ENV_NAME") != "production"
    return (gateway == "http" and bool(config.get("SMS_GATEWAY_URL")))


def enabled_channels(config=None) -> set[Channel]:
    config = config if config is not None else current_app.config
    enabled = {Channel.SLIP}
    if is_email_enabled(config):
        enabled.add(Channel.EMAIL)
    if is_sms_enabled(config):
        enabled.add(Channel.SMS)
    return enabled


def get_sender(channel: Channel) -> Sender:
    if channel == Channel.EMAIL:
        return EmailSender()
    if channel == Channel.SMS:
        return HttpSmsGateway() if current_app.config.get("SMS_GATEWAY") == "http" else DevSmsGateway()
    return SlipQueue()


def init_app(app: Flask) -> None:
    mail.init_app(app)
    if app.config.get("ENV_NAME") == "production":
        if not is_email_enabled(app.config):
            app.logger.warning("MAIL_SERVER is not set: e-mail notifications are off")
        if not is_sms_enabled(app.config):
            app.logger.warning("SMS_GATEWAY is not configured: SMS notifications are off")
