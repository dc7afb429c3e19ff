"""Readers never see an e-mail address, an IP address, a spam score or a moderation reason.

Comments are posted through the form and the API by readers with known addresses, scored with
a recognisable probability and reason, some published, some held, some marked spam; then every
reader-facing page, JSON answer and feed is fetched and searched for any of those values.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from commentsvc.comments.status import set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from commentsvc.reasons import Reason
from tests.factories import make_site
from tests.security.world import form_post, form_token

ORIGIN = "https://private.example.org"
PAGE = f"{ORIGIN}/articles/secret"
READER_IP = "203.0.113.77"
SCORE = 0.4242
EMAILS = ["ana.secret@example.org", "bob.hidden@example.net", "carla.private@example.com"]
REASON = Reason("suspicious_token", {"token": "zqxjv-marker"}, 0.37)


@pytest.fixture
def posted(app: Flask, spam_model) -> dict:
    """Three comments with e-mails from a known address: published, held, spam."""
    spam_model.probability = SCORE
    spam_model.reasons = (REASON,)
    make_site("private", origins=[ORIGIN], mode="auto", min_seconds=0)
    author = app.test_client()
    author.environ_base["REMOTE_ADDR"] = READER_IP
    token = form_token(author, "private", PAGE)
    via_form = form_post(
        author,
        "private",
        {"url": PAGE, "body": "Par le formulaire", "email": EMAILS[0], "author": "Ana"},
        token=token,
    )
    assert via_form.status_code == 303
    answers = [
        author.post(
            "/api/v1/sites/private/comments",
            json={"url": PAGE, "body": body, "email": email, "author": name},
            headers={"Origin": ORIGIN},
        )
        for body, email, name in [("Par l'API", EMAILS[1], "Bob"), ("Encore", EMAILS[2], "Carla")]
    ]
    assert [a.status_code for a in answers] == [201, 201]
    ids = [a.get_json()["comment"]["id"] for a in answers]
    with write_transaction():
        set_status(db.session.get(Comment, ids[1]), Status.SPAM)
    db.session.rollback()
    stored = db.session.scalars(select(Comment)).all()
    return {
        "form_redirect": via_form.headers["Location"],
        "api_answers": [a.get_data(as_text=True) for a in answers],
        "ip_hashes": {c.ip_hash for c in stored if c.ip_hash},
        "ids": [c.id for c in stored],
    }


def _reader_answers(client: FlaskClient, posted: dict) -> dict[str, str]:
    """Everything a reader (or a feed reader) can fetch about that page and site."""
    paths = {
        "iframe": ("/embed/private", {"url": PAGE}),
        "iframe after posting": (posted["form_redirect"], None),
        "thread fragment": ("/embed/private/thread", {"url": PAGE}),
        "thread json": ("/api/v1/sites/private/comments", {"url": PAGE}),
        "counts json": ("/api/v1/sites/private/counts", {"url": PAGE}),
        "counts for embed.js": ("/embed/private/counts", {"url": PAGE}),
        "thread feed": ("/sites/private/feed.atom", {"url": PAGE}),
        "site feed": ("/sites/private/feed.atom", None),
        "loader": ("/embed.js", None),
        "openapi": ("/api/v1/openapi.json", None),
    }
    answers = {}
    for name, (path, query) in paths.items():
        response = client.get(path, query_string=query)
        assert response.status_code == 200, (name, response.status_code)
        answers[name] = response.get_data(as_text=True)
    for index, text in enumerate(posted["api_answers"]):
        answers[f"answer to post {index}"] = text
    return answers


def _leaks(text: str, posted: dict, *, own: bool = False) -> list[str]:
    found = [email for email in EMAILS if email in text]
    found += [ip for ip in (READER_IP,) if ip in text]
    found += [h[:16] for h in posted["ip_hashes"] if h[:16] in text]
    found += ["score"] if re.search(r"0\.42\d*|42(\.\d+)?\s*%", text) else []
    found += ["reason"] if "zqxjv" in text or "suspicious_token" in text else []
    # Its author was told at posting time what they wrote; nobody is shown it once it is spam.
    found += ["spam comment"] if "Encore" in text and not own else []
    return found


def test_no_reader_facing_answer_leaks_private_data(app: Flask, posted: dict) -> None:
    reader = app.test_client()
    reader.environ_base["REMOTE_ADDR"] = "198.51.100.200"
    leaks = {
        name: found
        for name, text in _reader_answers(reader, posted).items()
        if (found := _leaks(text, posted, own=name.startswith("answer to post")))
    }
    assert leaks == {}


def test_the_crawl_would_see_a_leak(app: Flask, posted: dict) -> None:
    # The same search over the moderators' view finds them: the crawl is not blind.
    db.session.rollback()
    rows = db.session.scalars(select(Comment)).all()
    blob = " ".join(f"{c.author_email} {c.spam_score} {c.spam_reasons} {c.ip_hash}" for c in rows)
    assert set(_leaks(blob, posted)) >= {*EMAILS, "score", "reason"}
