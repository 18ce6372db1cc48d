"""A real SMTP server for tests (aiosmtpd), collecting what it receives."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Collector:
    def __init__(self) -> None:
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_server() -> tuple[Controller, Collector]:
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, collector


class Stalling:
    """Accepts a connection and then never answers the message: a sender stuck mid-send."""

    def __init__(self) -> None:
        self.reached = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.reached.set()
        await asyncio.sleep(120)
        return "451 too late"


def start_stalling_smtp_server() -> tuple[Controller, Stalling]:
    handler = Stalling()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, handler
