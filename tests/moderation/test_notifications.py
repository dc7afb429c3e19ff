import re
import time

import pytest
from sqlalchemy import select

from commentsvc import outbox
from commentsvc.extensions import db
from commentsvc.localserver import free_port
from commentsvc.models import Comment, OutboxMessage, Status
from commentsvc.moderation import actions
from commentsvc.moderation.actions import Decision
from commentsvc.moderation.audit import Action
from commentsvc.notifications import events
from tests.factories import make_comment, make_moderator, make_site, make_thread
from tests.mailsink import running_sink


@pytest.fixture(scope="module")
def smtp():
    with running_sink() as sink_and_port:
        yield sink_and_port


@pytest.fixture
def app_config(smtp):
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp[1],
        "SMTP_FROM": "moderation@example.org",
        "PUBLIC_URL": "https://comments.example.org",
    }


@pytest.fixture
def sink(smtp):
    smtp[0].messages.clear()
    return smtp[0]


def deliver(sink, expected: int):
    outbox.deliver_due()
    deadline = time.time() + 5
    while len(sink.messages) < expected and time.time() < deadline:
        time.sleep(0.05)
    return sink.messages


def test_queue_alert_when_the_queue_passes_n(app, sink) -> None:
    site = make_site(notify_emails=["veille@example.fr"], queue_alert_threshold=2)
    thread = make_thread(site)
    for i in range(4):
        comment = make_comment(thread, f"c{i}", status=Status.PENDING)
        events.comment_added(comment)
        db.session.commit()
    messages = deliver(sink, 1)
    assert len(messages) == 1  # once, when the queue went from 2 to 3
    recipients, message = messages[0]
    assert recipients == ["veille@example.fr"]
    assert message["From"] == "moderation@example.org"
    assert "3 commentaires attendent une relecture" in message["Subject"]
    assert "https://comments.example.org/admin/queue?site=" in message.get_content()


def test_report_notice(app, sink) -> None:
    from commentsvc.models import Report

    site = make_site(notify_emails=["veille@example.fr"], notify_on_report=True, lang="en")
    comment = make_comment(make_thread(site), "Vilain texte", author_name="Troll")
    report = Report(comment_id=comment.id, reason="abuse")
    db.session.add(report)
    events.comment_reported(comment, report)
    db.session.commit()
    ((_recipients, message),) = deliver(sink, 1)
    assert "A comment was reported" in message["Subject"]
    body = message.get_content()
    assert "Troll" in body and "Vilain texte" in body and f"/admin/comments/{comment.id}" in body


def test_no_notice_when_the_site_did_not_ask(app, sink) -> None:
    site = make_site(notify_emails=[], queue_alert_threshold=1)
    thread = make_thread(site)
    for i in range(3):
        events.comment_added(make_comment(thread, f"c{i}", status=Status.PENDING))
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage)) is None


def _parent_and_reply(site, *, parent_email="lectrice@example.fr", reply_status=Status.PUBLISHED):
    thread = make_thread(site, title="Les pâtes")
    parent = make_comment(thread, "Parent", author_email=parent_email, notify_replies=True)
    reply = make_comment(
        thread,
        "Je vous réponds",
        parent=parent,
        author_name="Léo",
        author_email="leo@example.fr",
        status=reply_status,
    )
    return parent, reply


def test_reply_notice_with_one_click_unsubscribe(app, client, sink) -> None:
    site = make_site(lang="fr")
    parent, reply = _parent_and_reply(site)
    events.comment_added(reply)
    db.session.commit()
    ((recipients, message),) = deliver(sink, 1)
    assert recipients == ["lectrice@example.fr"]
    assert message["Subject"] == "Nouvelle réponse à votre commentaire sur «\xa0Les pâtes\xa0»"
    body = message.get_content()
    assert "Léo a répondu" in body and "Je vous réponds" in body
    assert f"#comment-{reply.id}" in body
    link = re.search(r"https://comments\.example\.org(/notifications/unsubscribe/\S+)", body)
    assert message["List-Unsubscribe"] == f"<https://comments.example.org{link.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.group(1)
    # Opening the link changes nothing (mail scanners open links); the button does.
    page = client.get(path)
    assert page.status_code == 200 and "Se désabonner" in page.get_data(as_text=True)
    db.session.refresh(parent)
    assert parent.notify_replies is True
    # RFC 8058: the mail client posts without any form token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    db.session.rollback()
    assert db.session.get(Comment, parent.id).notify_replies is False
    # No more e-mails for later replies.
    later = make_comment(parent.thread, "Encore", parent=parent, author_email="x@example.fr")
    events.comment_added(later)
    db.session.commit()
    assert outbox.deliver_due().total == 0


def test_forged_unsubscribe_token_is_400(app, client) -> None:
    token = events.unsubscribe_token(1, "a@b.fr")
    assert client.get(f"/notifications/unsubscribe/{token}x").status_code == 400
    assert client.post("/notifications/unsubscribe/garbage").status_code == 400


def test_reply_notice_waits_for_approval(app, sink) -> None:
    site = make_site(mode="pre")
    moderator = make_moderator("m@example.org", sites=[site])
    _parent, reply = _parent_and_reply(site, reply_status=Status.PENDING)
    events.comment_added(reply)
    db.session.commit()
    assert outbox.deliver_due().total == 0
    actions.decide(reply.id, Decision(Action.APPROVE), moderator=moderator)
    assert len(deliver(sink, 1)) == 1


def test_no_notice_to_oneself_or_when_the_site_forbids_it(app, sink) -> None:
    site = make_site()
    _parent, reply = _parent_and_reply(site, parent_email="leo@example.fr")
    events.comment_added(reply)
    quiet = make_site(allow_reply_notifications=False)
    _parent, reply = _parent_and_reply(quiet)
    events.comment_added(reply)
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage)) is None


def test_smtp_down_is_retried(app, sink) -> None:
    app.config["SMTP_PORT"] = free_port()  # nothing listens there
    site = make_site()
    _parent, reply = _parent_and_reply(site)
    events.comment_added(reply)
    db.session.commit()
    assert outbox.deliver_due().retrying == 1
    message = db.session.scalar(select(OutboxMessage))
    assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error
    assert message.delivered_at is None and message.failed_at is None


class TestWithoutSmtp:
    @pytest.fixture
    def app_config(self):
        return {"SMTP_HOST": None}

    def test_nothing_is_queued_without_smtp(self, app) -> None:
        site = make_site()
        _parent, reply = _parent_and_reply(site)
        events.comment_added(reply)
        db.session.commit()
        assert db.session.scalar(select(OutboxMessage)) is None
