"""SMTP down: posting is unaffected, the notification waits and goes out once SMTP is back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from commentsvc import outbox
from commentsvc.extensions import db
from commentsvc.localserver import free_port
from commentsvc.models import OutboxMessage, utcnow
from tests.factories import make_comment, make_site, make_thread
from tests.mailsink import running_sink

ORIGIN = "https://mail.example.org"


@pytest.fixture
def smtp_port() -> int:
    return free_port()  # nothing listens there until the test starts a server


@pytest.fixture
def app_config(smtp_port: int) -> dict:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_port, "SMTP_FROM": "c@example.org"}


def test_posting_is_unaffected_and_the_mail_is_retried(app, client, smtp_port: int) -> None:
    site = make_site("mail", origins=[ORIGIN], mode="post", min_seconds=0)
    site.allow_reply_notifications = True
    db.session.commit()
    thread = make_thread(site, f"{ORIGIN}/a")
    parent = make_comment(thread, "Parent", author_email="lectrice@example.fr", notify_replies=True)

    started = time.monotonic()
    answer = client.post(
        "/api/v1/sites/mail/comments",
        json={
            "url": thread.url,
            "author": "Léo",
            "email": "leo@example.fr",
            "body": "Je vous réponds",
            "parent_id": parent.id,
        },
    )
    assert answer.status_code == 201
    assert time.monotonic() - started < 2  # no SMTP conversation inside the request
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.target)) == "lectrice@example.fr"

    report = outbox.deliver_due()
    assert (report.delivered, report.retrying) == (0, 1)
    message = db.session.scalar(select(OutboxMessage))
    assert message.next_attempt_at > utcnow() and message.failed_at is None

    with running_sink(smtp_port) as (sink, _port):
        later = utcnow() + timedelta(minutes=5)
        assert outbox.deliver_due(now=later).delivered == 1
        deadline = time.time() + 5
        while not sink.received and time.time() < deadline:
            time.sleep(0.05)
    assert sink.received == [["lectrice@example.fr"]]
