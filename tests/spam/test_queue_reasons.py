"""End to end: a comment scored by the shipped model keeps its reasons, and the moderation
queue shows them in the moderator's language."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from commentsvc.comments.inputs import NewComment, Reader
from commentsvc.comments.services import post_comment
from commentsvc.models import Status
from commentsvc.spam.store import load_current
from tests.admin.conftest import login
from tests.factories import make_moderator, make_site

MODEL_DIR = Path(__file__).resolve().parents[2] / "ml_models"


@pytest.fixture(scope="module")
def shipped():
    return load_current(MODEL_DIR)


def test_reasons_are_stored_and_shown_in_the_queue(app, client, shipped):
    site = make_site("lebigdata", mode="auto", lang="fr")
    posted = post_comment(
        site,
        NewComment(
            url=site.origins[0] + "/article",
            body="Check out my channel http://a.example.com http://b.example.com and subscribe",
            author="Promo",
            email="promo@example.com",
        ),
        reader=Reader(ip="203.0.113.9"),
        spam_model=shipped,
    )
    comment = posted.comment
    assert comment.status in (Status.SPAM, Status.PENDING)
    assert comment.model_version == shipped.version
    codes = [reason["code"] for reason in comment.spam_reasons]
    assert "links" in codes
    assert {"code": "word", "params": {"word": "subscribe"}} in [
        {k: r[k] for k in ("code", "params")} for r in comment.spam_reasons
    ]
    login(client, make_moderator("modo@example.org", sites=[site]))
    tab = "spam" if comment.status == Status.SPAM else "pending"
    french = html.unescape(client.get(f"/admin/queue?tab={tab}&lang=fr").get_data(as_text=True))
    english = html.unescape(client.get(f"/admin/queue?tab={tab}&lang=en").get_data(as_text=True))
    assert "2 liens" in french
    assert "mot «\u00a0subscribe\u00a0»" in french
    assert "2 links" in english
    assert "word “subscribe”" in english
