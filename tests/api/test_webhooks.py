"""Webhooks: events become outbox rows in the change's transaction; deliveries are signed."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from commentsvc import webhooks
from commentsvc.comments.status import set_status
from commentsvc.extensions import db as _db
from commentsvc.models import OutboxMessage, Status
from tests.factories import make_comment, make_site, make_thread

ORIGIN = "https://www.lebigdata.fr"


@pytest.fixture
def site(db):
    return make_site("lebigdata", origins=[ORIGIN], mode="post")


def messages(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_signature_is_hmac_sha256_of_timestamp_and_body() -> None:
    header = webhooks.sign("s3cret", 1700000000, b'{"a":1}')
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_refuses_a_wrong_secret_a_changed_body_and_an_old_stamp() -> None:
    now = int(time.time())
    header = webhooks.sign("s3cret", now, b"body")
    assert webhooks.verify("s3cret", header, b"body")
    assert not webhooks.verify("other", header, b"body")
    assert not webhooks.verify("s3cret", header, b"body!")
    old = webhooks.sign("s3cret", now - 3600, b"body")
    assert not webhooks.verify("s3cret", old, b"body")


def test_posting_through_the_api_enqueues_created_and_published(client, site, db) -> None:
    webhooks.add_webhook(site, "https://hooks.example/in")
    response = client.post(
        "/api/v1/sites/lebigdata/comments",
        json={"url": f"{ORIGIN}/a", "author": "Ana", "email": "ana@example.fr", "body": "Salut"},
    )
    assert response.status_code == 201
    found = messages(db)
    assert [m.payload["event"] for m in found] == ["comment.created", "comment.published"]
    data = found[0].payload["data"]
    assert data["site"] == "lebigdata"
    assert data["comment"]["thread"]["url"] == f"{ORIGIN}/a"
    assert data["comment"]["body_html"] == "<p>Salut</p>"
    text = json.dumps(found[0].payload)
    assert "ana@example.fr" not in text and "spam_score" not in text


def test_only_subscribed_events_and_only_this_sites_hooks(site, db) -> None:
    other = make_site("other", origins=["https://other.example"])
    webhooks.add_webhook(site, "https://hooks.example/rejected", ["comment.rejected"])
    webhooks.add_webhook(other, "https://hooks.example/other")
    comment = make_comment(make_thread(site), status=Status.PENDING)
    assert messages(db) == []
    set_status(comment, Status.REJECTED)
    _db.session.commit()
    found = messages(db)
    assert [(m.target, m.payload["event"]) for m in found] == [
        ("https://hooks.example/rejected", "comment.rejected")
    ]


def test_a_report_is_an_event(client, site, db) -> None:
    comment = make_comment(make_thread(site, f"{ORIGIN}/a"))
    webhooks.add_webhook(site, "https://hooks.example/in", ["comment.reported"])
    client.post(f"/api/v1/comments/{comment.id}/report", json={"reason": "abuse"})
    found = messages(db)
    assert [m.payload["event"] for m in found] == ["comment.reported"]
    assert found[0].payload["data"]["report"] == {"reason": "abuse"}


def test_a_rolled_back_change_announces_nothing(site, db) -> None:
    webhooks.add_webhook(site, "https://hooks.example/in")
    comment = make_comment(make_thread(site), status=Status.PENDING)
    _db.session.query(OutboxMessage).delete()
    _db.session.commit()
    set_status(comment, Status.PUBLISHED)
    _db.session.flush()
    _db.session.rollback()
    assert messages(db) == []


def test_bad_webhook_urls_and_events_are_refused(site) -> None:
    with pytest.raises(webhooks.WebhookError):
        webhooks.add_webhook(site, "ftp://x")
    with pytest.raises(webhooks.WebhookError):
        webhooks.add_webhook(site, "https://x.example", ["comment.exploded"])


class Receiver:
    """A local HTTP receiver on 127.0.0.1 that fails the first ``failures`` deliveries."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = 500 if receiver.failures > 0 else 204
                receiver.failures -= 1
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                return None

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_delivery_is_signed_and_a_failure_raises_for_a_retry(site, db) -> None:
    with Receiver(failures=1) as receiver:
        hook = webhooks.add_webhook(site, receiver.url)
        make_comment(make_thread(site))
        message = messages(db)[0]
        with pytest.raises(webhooks.DeliveryFailed):
            webhooks.send_webhook(message)
        webhooks.send_webhook(message)
    assert len(receiver.received) == 2
    headers, body = receiver.received[1]
    assert headers["X-Commentsvc-Event"] == "comment.created"
    assert webhooks.verify(hook.secret, headers["X-Commentsvc-Signature"], body)
    assert json.loads(body)["comment"]["id"] == message.payload["data"]["comment"]["id"]


def test_webhook_commands(runner, site, db) -> None:
    added = runner.invoke(
        args=[
            "webhook",
            "add",
            "https://hooks.example/in",
            "--site",
            "lebigdata",
            "--event",
            "comment.published",
        ]
    )
    assert added.exit_code == 0, added.output
    assert "secret (shown once):" in added.output
    listed = runner.invoke(args=["webhook", "list", "--site", "lebigdata"])
    assert "https://hooks.example/in" in listed.output and "comment.published" in listed.output
    hook_id = listed.output.split("\t")[0]
    assert runner.invoke(args=["webhook", "remove", hook_id]).exit_code == 0
    bad = runner.invoke(args=["webhook", "add", "ftp://x", "--site", "lebigdata"])
    assert bad.exit_code == 1 and "https://" in bad.output


def test_outbox_retries_with_backoff_then_delivers(site, db) -> None:
    from datetime import timedelta

    from commentsvc.outbox import deliver_due

    with Receiver(failures=2) as receiver:
        webhooks.add_webhook(site, receiver.url, ["comment.created"])
        make_comment(make_thread(site))
        now = messages(db)[0].next_attempt_at
        first = deliver_due(now=now)
        assert (first.delivered, first.retrying) == (0, 1)
        _db.session.expire_all()
        message = messages(db)[0]
        assert message.attempts == 1 and "500" in message.last_error
        # Not due again before its backoff has passed.
        assert deliver_due(now=now + timedelta(seconds=1)).total == 0
        deliver_due(now=message.next_attempt_at)
        _db.session.expire_all()
        later = messages(db)[0].next_attempt_at
        report = deliver_due(now=later)
        assert report.delivered == 1
    assert len(receiver.received) == 3
    _db.session.expire_all()
    assert messages(db)[0].delivered_at is not None


def test_a_removed_webhook_fails_permanently(site, db) -> None:
    from commentsvc.outbox import deliver_due

    hook = webhooks.add_webhook(site, "http://127.0.0.1:9/never")
    make_comment(make_thread(site))
    webhooks.remove_webhook(hook.id)
    report = deliver_due(now=messages(db)[-1].next_attempt_at)
    assert report.failed == 2  # created and published, both dropped


def test_writes_on_sites_without_webhooks_ask_nothing_about_webhooks(site, db) -> None:
    from tests.comments.helpers import count_queries

    thread = make_thread(site, f"{ORIGIN}/calme")
    make_comment(thread, "Premier")  # the process learns that no site has a webhook
    with count_queries() as queries:
        make_comment(thread, "Deuxième")
    assert not [q for q in queries if "webhooks" in q], queries
    # A webhook added here counts for the very next write.
    webhooks.add_webhook(site, "https://hooks.example/in")
    make_comment(thread, "Troisième")
    assert [m.payload["event"] for m in messages(db)][-2:] == [
        "comment.created",
        "comment.published",
    ]
