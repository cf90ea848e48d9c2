"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives and can be told to refuse."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.reply: str | None = None  # e.g. "451 4.3.0 try later" to refuse every DATA

    async def handle_DATA(
        self, server: Any, session: Any, envelope: Any
    ) -> str:  # aiosmtpd calls it by this name
        if self.reply:
            return self.reply
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 OK"


class SmtpServer:
    """`with SmtpServer(port) as srv:` … `srv.received()` parses every message with the default policy."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.controller.stop()

    def refuse_with(self, reply: str | None) -> None:
        """Answer every DATA with `reply` (None: accept again)."""
        self.handler.reply = reply

    @property
    def raw(self) -> list[tuple[list[str], bytes]]:
        """(envelope recipients, raw bytes) of every accepted message."""
        return list(self.handler.messages)

    def received(self) -> list[EmailMessage]:
        """Every accepted message, parsed."""
        return [
            email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[misc]
            for _, raw in self.handler.messages
        ]
