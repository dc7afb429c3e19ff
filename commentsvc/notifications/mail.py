"""The "email" outbox channel: one message per recipient, sent over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from commentsvc.models import OutboxMessage
from commentsvc.outbox import PermanentFailure, register_channel

SMTP_TIMEOUT_SECONDS = 20


def smtp_configured() -> bool:
    """Whether e-mail can be sent at all; without SMTP, nothing is queued."""
    return bool(current_app.config.get("SMTP_HOST"))


def build_message(message: OutboxMessage) -> EmailMessage:
    payload = message.payload or {}
    email = EmailMessage()
    email["From"] = current_app.config.get("SMTP_FROM") or "commentsvc@localhost"
    email["To"] = message.target
    email["Subject"] = str(payload.get("subject", ""))
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="commentsvc")
    for name, value in (payload.get("headers") or {}).items():
        email[name] = str(value)
    email.set_content(str(payload.get("text", "")))
    return email


def send_email(message: OutboxMessage) -> None:
    """Deliver one e-mail; a refused recipient is a permanent failure, anything else retried."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        raise RuntimeError("COMMENTSVC_SMTP_HOST is not set")
    email = build_message(message)
    with smtplib.SMTP(
        config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25), timeout=SMTP_TIMEOUT_SECONDS
    ) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
        try:
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {message.target}") from exc


register_channel("email", send_email)
