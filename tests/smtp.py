"""A real SMTP server on loopback for the email tests (aiosmtpd), which can be stopped and restarted."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Collector:
    """aiosmtpd handler: keeps every message; can answer slowly or refuse for a while."""

    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    reply: str | None = None  # e.g. "451 4.3.0 Try again later" to refuse every message
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the aiosmtpd hook
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            return self.reply
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    """One port, kept while the server is stopped, so the app's configuration stays valid."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.handler.received]

    def start(self) -> SmtpServer:
        if self._controller is None:
            self._controller = Controller(self.handler, hostname=HOST, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
