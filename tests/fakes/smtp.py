"""A real SMTP server on 127.0.0.1 (aiosmtpd in its own thread) that keeps what it receives.

``reject_with`` makes it answer RCPT with a code (e.g. "450 try later", "550 no such user");
``hold`` makes DATA wait until the event is set (to simulate a crash in the middle of a send), from the
``hold_from``-th message on (0 = every one); ``held`` is set while a DATA is held. ``down()``/``up()`` stop and
restart the server on the same port (an outage).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SmtpHandler:
    messages: list[Received] = field(default_factory=list)
    reject_with: str | None = None
    hold: threading.Event | None = None
    hold_from: int = 0
    entered_data: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.reject_with:
            return self.reject_with
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.entered_data.set()
        if self.hold is not None and len(self.messages) >= self.hold_from:
            import asyncio

            self.held.set()
            while not self.hold.is_set():
                await asyncio.sleep(0.01)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: SmtpHandler
    controller: Controller | None = None

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def up(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.handler, hostname=self.host, port=self.port)
            self.controller.start()


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    handler = SmtpHandler()
    port = free_port()
    server = SmtpServer("127.0.0.1", port, handler)
    server.up()
    try:
        yield server
    finally:
        if handler.hold is not None:
            handler.hold.set()
        server.down()
