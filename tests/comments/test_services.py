"""Reader services called directly: posting, moderation status, edits, deletes, likes, reports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commentsvc.comments.services import (
    CommentEdit,
    CommentError,
    NewComment,
    Reader,
    delete_comment,
    edit_comment,
    like_comment,
    post_comment,
    report_comment,
)
from commentsvc.comments.status import set_status
from commentsvc.extensions import db
from commentsvc.models import Comment, Report, Status, Thread
from commentsvc.moderation import pipeline
from tests.comments.helpers import row_counts
from tests.factories import make_comment, make_site, make_thread
from tests.fakes import FixedSpamModel

URL = "https://news.example.fr/articles/ia-generative"
READER = Reader(ip="203.0.113.7", user_agent="Firefox", browser_key="key-1")


def new(body: str = "Très bon *article*", **fields) -> NewComment:
    fields.setdefault("author", "Camille")
    fields.setdefault("email", "camille@example.fr")
    fields.setdefault("url", URL)
    return NewComment(body=body, **fields)


def post(site, data=None, **kwargs):
    kwargs.setdefault("reader", READER)
    kwargs.setdefault("spam_model", FixedSpamModel())
    return post_comment(site, data or new(), **kwargs)


def test_first_comment_creates_the_thread_with_canonical_url(app) -> None:
    site = make_site(mode="post")
    posted = post(
        site, new(url="HTTPS://News.Example.fr:443/articles/x?utm_source=tw#c2", title="X")
    )
    comment = posted.comment
    thread = db.session.get(Thread, comment.thread_id)
    assert thread.url == "https://news.example.fr/articles/x"
    assert thread.title == "X"
    assert thread.published_count == 1
    assert comment.status == Status.PUBLISHED and posted.published
    assert comment.body_html == "<p>Très bon <em>article</em></p>"
    assert comment.root_id == comment.id and comment.depth == 0
    # The second comment on the same page joins the same thread.
    second = post(site, new("Un autre avis", url="https://news.example.fr/articles/x")).comment
    assert second.thread_id == thread.id


def test_stores_hashes_not_secrets(app) -> None:
    site = make_site(mode="post")
    posted = post(site)
    comment = posted.comment
    assert posted.edit_key and posted.edit_key not in (comment.edit_key_hash or "")
    assert comment.ip_hash and "203.0.113.7" not in comment.ip_hash
    assert comment.avatar_hash and "camille" not in comment.avatar_hash
    assert comment.user_agent == "Firefox"


def test_verdict_score_and_reasons_are_stored(app) -> None:
    site = make_site(mode="auto")
    model = FixedSpamModel(0.7, (pipeline.Reason("links", {"n": 3}, 1.5),))
    comment = post(site, spam_model=model).comment
    assert comment.status == Status.PENDING
    assert comment.spam_score == pytest.approx(0.7)
    assert comment.spam_reasons == [{"code": "links", "params": {"n": 3}, "weight": 1.5}]
    assert comment.model_version == "fixed-test"
    assert comment.rule_reasons[0]["code"] == "spam_score"
    assert db.session.get(Thread, comment.thread_id).published_count == 0
    # The model saw what the reader wrote.
    assert model.seen[0].body == "Très bon *article*"
    assert model.seen[0].author == "Camille"


@pytest.mark.parametrize(("mode", "status"), [("pre", "pending"), ("post", "published")])
def test_moderation_mode_decides_status(app, mode, status) -> None:
    site = make_site(mode=mode)
    assert post(site).comment.status == status


def test_refusal_by_pipeline_becomes_comment_error(app, monkeypatch) -> None:
    site = make_site(mode="post")

    def refuse(candidate, *, spam_model):
        raise pipeline.Refused("Banni.", code="banned")

    monkeypatch.setattr("commentsvc.comments.services.moderate", refuse)
    before = row_counts()
    with pytest.raises(CommentError) as caught:
        post(site)
    assert caught.value.status == 422 and caught.value.message == "Banni."
    assert caught.value.code == "banned"
    assert row_counts() == before


def test_candidate_carries_form_timing_and_honeypot(app, monkeypatch) -> None:
    seen = []
    real = pipeline.moderate

    def spy(candidate, *, spam_model):
        seen.append(candidate)
        return real(candidate, spam_model=spam_model)

    monkeypatch.setattr("commentsvc.comments.services.moderate", spy)
    site = make_site(mode="post")
    post(site, reader=Reader(ip="198.51.100.1", seconds_to_fill=4.5, honeypot="x"))
    assert seen[0].seconds_to_fill == 4.5 and seen[0].honeypot == "x"
    assert seen[0].thread is None and seen[0].ip_hash
    post(site, new("Un second commentaire"))
    assert seen[1].thread is not None


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        (new(url="https://evil.example.com/a"), 403, None),
        (new(url="javascript:alert(1)"), 400, None),
        (new(url=""), 400, None),
        (new(body="   "), 422, "body"),
        (new(body="x" * 5001), 422, "body"),
        (new(author=""), 422, "author"),
        (new(author="n" * 101), 422, "author"),
        (new(email=""), 422, "email"),
        (new(email="pas-une-adresse"), 422, "email"),
        (new(website="javascript:alert(1)"), 422, "website"),
        (new(body="nul\x00byte"), 400, "body"),
        (new(author="bell\x07"), 400, "author"),
        (new(body="lone \ud800 surrogate"), 400, "body"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(app, data, status, field) -> None:
    site = make_site(mode="post")
    before = row_counts()
    with pytest.raises(CommentError) as caught:
        post(site, data)
    assert caught.value.status == status
    assert caught.value.field == field
    assert caught.value.message
    assert row_counts() == before


def test_optional_email_and_website_normalised(app) -> None:
    site = make_site(mode="post", require_email=False)
    comment = post(site, new(email="", website="exemple.fr/blog")).comment
    assert comment.author_email is None
    assert comment.author_website == "https://exemple.fr/blog"


def test_french_message_when_locale_is_french(app) -> None:
    site = make_site(mode="post")
    with app.test_request_context("/?lang=fr"), pytest.raises(CommentError) as caught:
        post(site, new(body=""))
    assert caught.value.message == "Écrivez un commentaire."


def test_reply_to_published_parent_in_same_thread(app) -> None:
    site = make_site(mode="post")
    parent = post(site).comment
    reply = post(site, new("Je réponds", parent_id=parent.id)).comment
    assert reply.parent_id == parent.id
    assert reply.root_id == parent.id and reply.depth == 1
    deeper = post(site, new("Encore", parent_id=reply.id)).comment
    assert deeper.root_id == parent.id and deeper.depth == 2


@pytest.mark.parametrize("case", ["other_thread", "pending", "missing"])
def test_bad_parent_is_422(app, case) -> None:
    site = make_site(mode="post")
    here = post(site).comment
    if case == "other_thread":
        parent_id = post(site, new("Ailleurs", url=URL + "-autre")).comment.id
    elif case == "pending":
        parent_id = here.id
        set_status(here, Status.PENDING)
        db.session.commit()
    else:
        parent_id = 999_999
    before = row_counts()
    with pytest.raises(CommentError) as caught:
        post(site, new("Réponse", parent_id=parent_id))
    assert caught.value.status == 422
    assert row_counts() == before


def test_parent_of_another_site_is_refused(app) -> None:
    other = make_site(origins=["https://autre.example.org"], mode="post")
    foreign = post(other, new(url="https://autre.example.org/a")).comment
    site = make_site(mode="post")
    post(site)
    with pytest.raises(CommentError) as caught:
        post(site, new(parent_id=foreign.id))
    assert caught.value.status == 422


def test_closed_thread_refuses(app) -> None:
    site = make_site(mode="post")
    thread = make_thread(site, URL, closed=True)
    with pytest.raises(CommentError) as caught:
        post(site)
    assert caught.value.status == 403
    assert db.session.get(Thread, thread.id).published_count == 0


def test_thread_closes_after_site_days(app) -> None:
    site = make_site(mode="post", close_after_days=7)
    thread = make_thread(site, URL)
    post(site)  # still open
    thread.created_at = thread.created_at - timedelta(days=8)
    db.session.commit()
    with pytest.raises(CommentError) as caught:
        post(site)
    assert caught.value.status == 403 and caught.value.code == "closed"


def _age(comment: Comment, seconds: int) -> None:
    comment.created_at = comment.created_at - timedelta(seconds=seconds)
    db.session.commit()


def test_edit_with_key_within_window(app) -> None:
    site = make_site(mode="post")
    posted = post(site)
    version = db.session.get(Thread, posted.comment.thread_id).version
    edited = edit_comment(
        posted.comment.id, CommentEdit("**Corrigé**", posted.edit_key), spam_model=FixedSpamModel()
    )
    assert edited.body_html == "<p><strong>Corrigé</strong></p>"
    assert edited.edited_at is not None
    assert db.session.get(Thread, edited.thread_id).version > version


@pytest.mark.parametrize(
    ("key", "age", "status", "code"),
    [
        ("wrong", 0, 403, "wrong_key"),
        ("", 0, 403, "wrong_key"),
        (None, 16 * 60, 403, "window_passed"),
    ],
)
def test_edit_and_delete_refused(app, key, age, status, code) -> None:
    site = make_site(mode="post")
    posted = post(site)
    _age(posted.comment, age)
    key = posted.edit_key if key is None else key
    for action in (
        lambda: edit_comment(
            posted.comment.id, CommentEdit("Nouveau", key), spam_model=FixedSpamModel()
        ),
        lambda: delete_comment(posted.comment.id, edit_key=key),
    ):
        with pytest.raises(CommentError) as caught:
            action()
        assert (caught.value.status, caught.value.code) == (status, code)
    assert db.session.get(Comment, posted.comment.id).body_source == "Très bon *article*"


def test_edit_window_is_the_sites(app) -> None:
    site = make_site(mode="post", edit_window_seconds=3600)
    posted = post(site)
    _age(posted.comment, 30 * 60)
    edit_comment(posted.comment.id, CommentEdit("Ok", posted.edit_key), spam_model=FixedSpamModel())


def test_edit_that_looks_like_spam_is_held(app) -> None:
    site = make_site(mode="auto")
    posted = post(site)
    edit_comment(
        posted.comment.id, CommentEdit("Achetez", posted.edit_key), spam_model=FixedSpamModel(0.95)
    )
    comment = db.session.get(Comment, posted.comment.id)
    assert comment.status == Status.SPAM
    assert db.session.get(Thread, comment.thread_id).published_count == 0


def test_edit_of_other_sites_comment_is_404(app) -> None:
    site = make_site(mode="post")
    posted = post(site)
    other = make_site(origins=["https://autre.example.org"])
    with pytest.raises(CommentError) as caught:
        delete_comment(posted.comment.id, edit_key=posted.edit_key, site=other)
    assert caught.value.status == 404


def test_delete_clears_text_and_count(app) -> None:
    site = make_site(mode="post")
    posted = post(site)
    deleted = delete_comment(posted.comment.id, edit_key=posted.edit_key)
    assert deleted.status == Status.DELETED
    assert deleted.body_source == "" and deleted.body_html == ""
    assert db.session.get(Thread, deleted.thread_id).published_count == 0
    with pytest.raises(CommentError) as caught:
        delete_comment(posted.comment.id, edit_key=posted.edit_key)
    assert caught.value.status == 410


def test_one_like_per_reader(app) -> None:
    site = make_site(mode="post")
    comment = post(site).comment
    assert like_comment(comment.id, reader=READER) == 1
    with pytest.raises(CommentError) as same_key:
        like_comment(comment.id, reader=READER)
    assert same_key.value.status == 409
    # A new browser key from the same address is still the same reader.
    with pytest.raises(CommentError):
        like_comment(comment.id, reader=Reader(ip=READER.ip, browser_key="key-2"))
    assert like_comment(comment.id, reader=Reader(ip="192.0.2.9", browser_key="key-3")) == 2
    # Without a browser key, the address alone identifies the reader.
    assert like_comment(comment.id, reader=Reader(ip="192.0.2.10")) == 3
    assert db.session.get(Comment, comment.id).likes_count == 3


def test_like_of_unpublished_comment_is_404(app) -> None:
    site = make_site(mode="pre")
    comment = post(site).comment
    with pytest.raises(CommentError) as caught:
        like_comment(comment.id, reader=READER)
    assert caught.value.status == 404


def test_reports_hide_at_threshold_and_go_back_to_queue(app) -> None:
    site = make_site(mode="post", report_threshold=2)
    comment = post(site).comment
    report_comment(comment.id, reason="spam", reader=READER, detail="Publicité")
    assert db.session.get(Comment, comment.id).status == Status.PUBLISHED
    with pytest.raises(CommentError) as twice:
        report_comment(comment.id, reason="abuse", reader=READER)
    assert twice.value.status == 409
    report_comment(comment.id, reason="abuse", reader=Reader(ip="192.0.2.1", browser_key="k9"))
    stored = db.session.get(Comment, comment.id)
    assert stored.status == Status.PENDING
    assert stored.reports_count == 2
    assert db.session.get(Thread, stored.thread_id).published_count == 0
    reasons = sorted(r.reason for r in db.session.query(Report).all())
    assert reasons == ["abuse", "spam"]


def test_resolved_reports_do_not_count_again(app) -> None:
    site = make_site(mode="post", report_threshold=2)
    thread = make_thread(site, URL)
    comment = make_comment(thread)
    report_comment(comment.id, reason="other", reader=READER)
    for report in db.session.query(Report).all():
        report.resolved = True
    db.session.commit()
    report_comment(comment.id, reason="other", reader=Reader(ip="192.0.2.2", browser_key="z"))
    assert db.session.get(Comment, comment.id).status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("reason", "detail", "status"), [("nope", "", 422), ("other", "x\x00", 400)]
)
def test_bad_report_is_refused(app, reason, detail, status) -> None:
    site = make_site(mode="post")
    comment = post(site).comment
    with pytest.raises(CommentError) as caught:
        report_comment(comment.id, reason=reason, detail=detail, reader=READER)
    assert caught.value.status == status
    assert db.session.query(Report).count() == 0


def test_the_spam_model_sees_the_page_of_the_comment(app) -> None:
    """Posting and editing both tell the model which page the comment is under (thread URL)."""
    site = make_site(mode="post")
    model = FixedSpamModel()
    posted = post(site, new(url=URL + "?utm_source=tw"), spam_model=model)
    edit_comment(posted.comment.id, CommentEdit("Corrigé", posted.edit_key), spam_model=model)
    assert [seen.page_url for seen in model.seen] == [URL, URL]


def test_a_link_to_the_page_itself_scores_lower_than_a_link_elsewhere(app) -> None:
    """With the shipped model, through a real post: quoting the article's own address is no
    sign of spam, the same comment linking to another site is."""
    from pathlib import Path

    from commentsvc.spam.store import load_current

    shipped = load_current(Path(__file__).resolve().parents[2] / "ml_models")
    site = make_site(mode="auto")
    body = "Tout est expliqué au troisième paragraphe : {link}"
    own = post(
        site,
        new(body.format(link="www.news.example.fr/articles/ia-generative/#p3"), author="Ana"),
        spam_model=shipped,
    ).comment
    other = post(
        site,
        new(body.format(link="https://promo-credit.example.com/articles"), author="Léo"),
        spam_model=shipped,
    ).comment
    assert own.spam_score < other.spam_score
    assert "links" not in {reason["code"] for reason in own.spam_reasons}
    assert "links" in {reason["code"] for reason in other.spam_reasons}
