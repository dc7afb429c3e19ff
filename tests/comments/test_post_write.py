"""A post holds the writers' lock for its write alone, and leaves nothing when it fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from commentsvc import webhooks
from commentsvc.comments import services
from commentsvc.comments.services import NewComment, Reader, post_comment
from commentsvc.database import in_write_transaction
from commentsvc.models import Ban, Comment, OutboxMessage, Site, Thread, WordList
from commentsvc.notifications import events
from tests.comments.helpers import count_queries
from tests.factories import make_comment, make_site, make_thread
from tests.fakes import FixedSpamModel

URL = "https://news.example.fr/articles/lock"
READER = Reader(ip="198.51.100.7")


@pytest.fixture
def app_config() -> dict[str, str]:
    # Reply e-mails are only prepared when mail can be sent.
    return {"SMTP_HOST": "127.0.0.1"}


def _new(body: str, **fields: object) -> NewComment:
    return NewComment(url=URL, body=body, author="Alex", email="alex@example.fr", **fields)


class RecordingModel(FixedSpamModel):
    """Notes, for each score, whether it was computed inside a write transaction."""

    def __init__(self) -> None:
        super().__init__()
        self.in_write: list[bool] = []

    def score(self, comment):
        self.in_write.append(in_write_transaction())
        return super().score(comment)


@pytest.fixture
def statements_under_lock(db, monkeypatch) -> Iterator[list[str]]:
    """The first word of every statement run inside a write transaction."""
    # The webhooks' per-process lookup of hooked sites (made by the factories' flushes) stays
    # valid for the whole test, as it does between most posts of a busy process.
    monkeypatch.setattr(webhooks, "HOOKED_SITES_SECONDS", 3600.0)
    seen: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        if in_write_transaction():
            seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_markdown_and_spam_score_are_computed_before_the_write_lock(app, monkeypatch) -> None:
    site = make_site()
    make_thread(site, URL)
    rendered: list[bool] = []
    render = services.render_markdown

    def recording_render(text: str) -> str:
        rendered.append(in_write_transaction())
        return render(text)

    monkeypatch.setattr(services, "render_markdown", recording_render)
    model = RecordingModel()
    posted = post_comment(
        site,
        _new("**Bonjour**"),
        reader=READER,
        spam_model=model,
    )
    assert posted.comment.body_html == "<p><strong>Bonjour</strong></p>"
    assert rendered == [False]
    assert model.in_write == [False]


def test_a_post_writes_without_reading_under_the_lock(app, db, statements_under_lock) -> None:
    site = make_site(allow_reply_notifications=True)
    thread = make_thread(site, URL)
    parent = make_comment(thread, author_email="camille@example.fr", notify_replies=True)
    statements_under_lock.clear()

    new = _new("Je réponds.", parent_id=parent.id)
    reply = post_comment(site, new, reader=READER, spam_model=FixedSpamModel()).comment

    # The comment, the thread's counters, the reply e-mail: no SELECT, no lazy load.
    assert statements_under_lock == ["INSERT", "UPDATE", "INSERT"]
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.target == parent.author_email)
    )
    assert f"{URL}#comment-{reply.id}" in mail.payload["text"]
    assert reply.root_id == parent.root_id

    statements_under_lock.clear()
    top = post_comment(
        site,
        _new("Et moi."),
        reader=READER,
        spam_model=FixedSpamModel(),
    )
    assert statements_under_lock == ["INSERT", "UPDATE", "UPDATE"]  # + its own id as root
    assert top.comment.root_id == top.comment.id
    db.session.expire_all()
    assert db.session.get(Comment, top.comment.id).root_id == top.comment.id


def test_the_thread_counters_are_current_after_a_post(app, db) -> None:
    site = make_site()
    thread = make_thread(site, URL)
    version, count = thread.version, thread.published_count
    post_comment(
        site,
        _new("Un avis."),
        reader=READER,
        spam_model=FixedSpamModel(),
    )
    assert (thread.version, thread.published_count) == (version + 1, count + 1)


def test_a_post_loads_no_objects_but_its_own(app, db) -> None:
    site = make_site(trusted_after=2)
    thread = make_thread(site, URL)
    make_comment(thread, "Premier avis.")
    db.session.add_all(
        [
            Ban(site_id=site.id, kind="name", value="quelqu'un"),
            WordList(site_id=site.id, name="hold", action="hold", words=["gratuit"]),
        ]
    )
    db.session.commit()
    site_id, thread_id = site.id, thread.id
    db.session.expunge_all()
    site = db.session.get(Site, site_id)
    loaded: list[str] = []

    def note(target, _context) -> None:
        loaded.append(type(target).__name__)

    event.listen(db.Model, "load", note, propagate=True)
    try:
        posted = post_comment(
            site, _new("Un autre avis."), reader=READER, spam_model=FixedSpamModel()
        )
    finally:
        event.remove(db.Model, "load", note)
    # The thread, bans and word lists are read as plain rows: loading their objects into the
    # session cost more than the rest of the post's reads together.
    assert loaded == [], loaded
    assert posted.comment.thread_id == thread_id


@pytest.mark.parametrize("reply", [False, True])
def test_a_post_inserts_without_a_flush_and_its_comment_is_the_row(app, db, reply) -> None:
    site = make_site()
    thread = make_thread(site, URL)
    parent = make_comment(thread, "Premier avis.") if reply else None
    flushes: list[int] = []

    def note(session, _context, _instances) -> None:
        flushes.append(len(session.new))

    event.listen(Session, "before_flush", note)
    try:
        new = _new("Un avis de plus.", parent_id=parent.id if parent else None)
        comment = post_comment(site, new, reader=READER, spam_model=FixedSpamModel()).comment
    finally:
        event.remove(Session, "before_flush", note)
    # The ORM's unit of work cost more than the write's three statements together.
    assert flushes == []
    # The comment is in the session as stored: nothing pending, every column known.
    assert comment in db.session and not db.session.new and not db.session.dirty
    keys = [attr.key for attr in inspect(Comment).column_attrs]
    with count_queries() as queries:
        seen = {key: getattr(comment, key) for key in keys}
        db.session.flush()
    assert queries == []
    assert seen["created_at"] is not None and seen["likes_count"] == 0
    assert seen["root_id"] == (parent.id if parent else comment.id)
    db.session.expunge_all()
    stored = db.session.get(Comment, comment.id)
    assert {key: getattr(stored, key) for key in keys} == seen


@pytest.mark.parametrize("existing_thread", [True, False])
def test_a_failure_in_the_write_leaves_nothing(app, db, monkeypatch, existing_thread) -> None:
    site = make_site()
    before = [(0, 0)] if existing_thread else []
    if existing_thread:
        thread = make_thread(site, URL)
        assert (thread.version, thread.published_count) == (0, 0)

    def failing_notices(*_args, **_kwargs):
        def notices(_comment: Comment) -> None:
            raise RuntimeError("the outbox is broken")

        return notices

    monkeypatch.setattr(events, "new_comment_notices", failing_notices)
    with pytest.raises(RuntimeError):
        post_comment(
            site,
            _new("Perdu ?"),
            reader=READER,
            spam_model=FixedSpamModel(),
        )
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    threads = db.session.scalars(select(Thread)).all()
    assert [(t.version, t.published_count) for t in threads] == before
