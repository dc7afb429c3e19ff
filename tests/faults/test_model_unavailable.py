"""No usable spam model (missing or corrupt file): every new comment is held for review."""

from __future__ import annotations

from commentsvc.comments.services import NewComment, Reader, post_comment
from commentsvc.models import Status
from commentsvc.spam.base import FailSafeModel
from tests.factories import make_site


def test_fail_safe_model_holds_every_comment(app) -> None:
    site = make_site("failsafe", origins=["https://fs.example"], mode="auto")
    posted = post_comment(
        site,
        NewComment(
            url="https://fs.example/a", body="Bonjour à tous", author="Ana", email="a@example.org"
        ),
        reader=Reader(ip="192.0.2.3"),
        spam_model=FailSafeModel("model file missing"),
    )
    assert posted.comment.status == Status.PENDING
    assert posted.comment.thread.published_count == 0
