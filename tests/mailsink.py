"""A local SMTP server (aiosmtpd) that keeps the messages it receives, for the mail tests."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from commentsvc.localserver import free_port


class Sink:
    """Keeps each message with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    @property
    def received(self) -> list[list[str]]:
        return [recipients for recipients, _ in self.messages]

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@contextmanager
def running_sink(port: int | None = None) -> Iterator[tuple[Sink, int]]:
    """A sink listening on 127.0.0.1 (on ``port``, or on a free one) while the block runs."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()
