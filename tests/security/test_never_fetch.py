"""BI-033: the service never fetches a reader's website (no preview, favicon or avatar), so a
website on a link-local, loopback or private address is only ever a displayed link.

The website and the links of the body point at a local listener that counts connections; the
comment then goes through everything that handles it: posting by the API and the form (with
the real spam model, which looks at websites), the moderators' queue and card, approval,
the iframe page, the JSON thread, the Atom feed, moderator and reply e-mails and webhooks.
The listener must never be contacted, while the mail and webhook receivers prove that the
deliveries really ran. The browser side (no prefetch, preconnect or favicon fetch) is in
``tests/browser/test_xss_execution.py``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from commentsvc import outbox
from commentsvc.spam.store import load_current
from commentsvc.webhooks import add_webhook
from tests.factories import make_comment, make_moderator, make_site, make_thread
from tests.listener import Listener, counting_listener
from tests.mailsink import Sink, running_sink
from tests.security.test_accounts import client_at, csrf_token, login
from tests.security.world import api_post, form_post

MODEL_DIR = Path(__file__).resolve().parents[2] / "ml_models"
ORIGIN = "https://never-fetch.example.org"
PAGE = f"{ORIGIN}/article"
MOD_EMAIL = "veille@never-fetch.example.org"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Sink, int]]:
    with running_sink() as sink_and_port:
        yield sink_and_port


@pytest.fixture
def website() -> Iterator[Listener]:
    with counting_listener() as listener:
        yield listener


@pytest.fixture
def hooks() -> Iterator[Listener]:
    with counting_listener() as listener:
        yield listener


@pytest.fixture
def app_config(smtp) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp[1],
        "SMTP_FROM": "moderation@example.org",
        "PUBLIC_URL": "https://comments.example.org",
        "SPAM_MODEL": load_current(MODEL_DIR),
    }


def _decide(client, comment_id: int) -> None:
    token = csrf_token(client, f"/admin/comments/{comment_id}")
    answer = client.post(
        f"/admin/comments/{comment_id}/decide", data={"action": "approve", "csrf_token": token}
    )
    assert answer.status_code in (200, 302, 303), answer.status_code


def test_a_readers_website_is_never_fetched(
    app: Flask, website: Listener, hooks: Listener, smtp
) -> None:
    smtp[0].messages.clear()
    site = make_site(
        "never-fetch",
        origins=[ORIGIN],
        mode="pre",
        min_seconds=0,
        notify_emails=[MOD_EMAIL],
        queue_alert_threshold=0,
    )
    add_webhook(site, hooks.url + "/hook")
    make_moderator(MOD_EMAIL, sites=[site])
    parent = make_comment(
        make_thread(site, PAGE), "Parent", author_email="parent@example.fr", notify_replies=True
    )
    body = f"Voir [mon site]({website.url}/body-link) et {website.url}/autolink"
    reader = app.test_client()
    by_api = api_post(
        reader,
        site.name,
        {
            "url": PAGE,
            "author": "Alice",
            "email": "alice@example.org",
            "website": website.url + "/api-website",
            "body": body,
            "parent_id": parent.id,
        },
        Origin=ORIGIN,
    )
    assert by_api.status_code in (201, 202), by_api.get_data(as_text=True)
    by_form = form_post(
        reader,
        site.name,
        {"url": PAGE, "website": website.url + "/form-website", "body": body + " (formulaire)"},
    )
    assert by_form.status_code == 303, by_form.status_code
    new_ids = [by_api.get_json()["comment"]["id"], int(by_form.headers["Location"].split("#c")[1])]

    moderator = client_at(app, "198.51.100.70")
    login(moderator, MOD_EMAIL)
    pages = [
        moderator.get("/admin/queue"),
        *(moderator.get(f"/admin/comments/{i}") for i in new_ids),
    ]
    assert all(page.status_code == 200 for page in pages)
    assert website.url + "/api-website" in pages[0].get_data(as_text=True)  # shown, as text
    for comment_id in new_ids:
        _decide(moderator, comment_id)

    shown = [
        reader.get(f"/embed/{site.name}", query_string={"url": PAGE}),
        reader.get(f"/api/v1/sites/{site.name}/comments", query_string={"url": PAGE}),
        reader.get(f"/sites/{site.name}/feed.atom", query_string={"url": PAGE}),
        moderator.get("/admin/queue?tab=published"),
    ]
    assert all(page.status_code == 200 for page in shown)
    assert all(website.url in page.get_data(as_text=True) for page in shown)

    report = outbox.deliver_due()
    deadline = time.monotonic() + 5
    while (not smtp[0].messages or not hooks.hits) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # anything asynchronous that would fetch has had its chance
    assert report.total > 0 and smtp[0].messages and hooks.hits, "deliveries did not run"
    mails = " ".join(message.get_content() for _to, message in smtp[0].messages)
    assert re.search(r"Alice", mails)
    assert website.hits == [], f"the reader's website was contacted: {website.hits}"
