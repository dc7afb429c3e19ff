"""Deliveries outside the request: e-mails, webhooks, retried with exponential backoff.

A change that must tell someone writes an ``OutboxMessage`` row in its own transaction
(``enqueue``), so nothing is sent for a change that rolled back and nothing is lost when the
process dies. ``deliver_due`` (the ``commentsvc worker`` command, or a thread in ``serve``)
claims due rows, calls the channel's sender and records the result. Several workers on several
machines may run at once: a claim moves the row's next attempt past a lease, so two workers
never send the same message at the same time (``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import OutboxMessage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
# How long a claimed message is left to its worker before another may try it.
LEASE = timedelta(minutes=5)
BATCH = 50

# A sender delivers one message or raises; the exception text is kept as ``last_error``.
Sender = Callable[[OutboxMessage], None]
_SENDERS: dict[str, Sender] = {}


class PermanentFailure(Exception):
    """Raised by a sender when retrying cannot help (e.g. the address was refused)."""


def register_channel(name: str, sender: Sender) -> None:
    """Make ``sender`` deliver the messages of ``name`` (e.g. "email", "webhook")."""
    _SENDERS[name] = sender


def channels() -> list[str]:
    return sorted(_SENDERS)


def enqueue(channel: str, target: str, payload: dict[str, Any]) -> OutboxMessage:
    """Add a message in the caller's transaction; it is delivered once that commits."""
    message = OutboxMessage(channel=channel, target=target, payload=payload, attempts=0)
    db.session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after ``attempts`` failures: 30 s, 1 min, 2 min… ≤ 6 h."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.failed


def _due(now: datetime) -> Any:
    return select(OutboxMessage).where(
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
    )


def _claim(now: datetime, limit: int) -> list[int]:
    # Every worker polls every few seconds and there is mostly nothing due: look first with
    # a plain read, so that an idle round never takes the write lock (SQLite's is global).
    anything = db.session.scalar(_due(now).with_only_columns(OutboxMessage.id).limit(1))
    if anything is None:
        db.session.rollback()
        return []
    query = _due(now).order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
    with write_transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        messages = list(session.scalars(query))
        for message in messages:
            message.next_attempt_at = now + LEASE
        return [m.id for m in messages]


def _record(message_id: int, error: Exception | None, *, now: datetime) -> str:
    with write_transaction() as session:
        message = session.get(OutboxMessage, message_id)
        if message is None:
            return "failed"
        message.attempts += 1
        if error is None:
            message.delivered_at = now
            message.last_error = ""
            return "delivered"
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if isinstance(error, PermanentFailure) or message.attempts >= MAX_ATTEMPTS:
            message.failed_at = now
            return "failed"
        message.next_attempt_at = now + backoff(message.attempts)
        return "retrying"


def deliver_one(message_id: int, *, now: datetime | None = None) -> str:
    """Send one claimed message; returns "delivered", "retrying" or "failed"."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return "failed"
    sender = _SENDERS.get(message.channel)
    error: Exception | None = None
    if sender is None:
        error = PermanentFailure(f"no sender registered for channel {message.channel!r}")
    else:
        try:
            sender(message)
        except Exception as exc:  # a sender's failure of any kind is recorded and retried
            log.warning("outbox %s #%s failed: %s", message.channel, message.id, exc)
            error = exc
    return _record(message_id, error, now=now or utcnow())


def deliver_due(*, now: datetime | None = None, limit: int = BATCH) -> DeliveryReport:
    """Deliver every message due now (up to ``limit``); safe to run from several workers."""
    now = now or utcnow()
    report = DeliveryReport()
    for message_id in _claim(now, limit):
        result = deliver_one(message_id, now=now)
        setattr(report, result, getattr(report, result) + 1)
    return report


def run_worker(
    app: Flask,
    *,
    interval: float = 5.0,
    stop: threading.Event | None = None,
    on_batch: Callable[[DeliveryReport], None] | None = None,
) -> None:
    """Deliver due messages every ``interval`` seconds until ``stop`` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        with app.app_context():
            try:
                report = deliver_due()
            except Exception:  # the database may be briefly away: keep the worker alive
                log.exception("outbox delivery round failed")
                report = DeliveryReport()
        if on_batch is not None and report.total:
            on_batch(report)
        if report.total < BATCH:
            stop.wait(interval)


def start_background_worker(app: Flask, *, interval: float = 5.0) -> threading.Event:
    """Run ``run_worker`` in a daemon thread (used by ``serve``); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(app,),
        kwargs={"interval": interval, "stop": stop},
        name="commentsvc-outbox",
        daemon=True,
    )
    thread.start()
    return stop
