"""The one way a comment's status is set: keeps thread counts and cache versions true."""

from __future__ import annotations

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from commentsvc.comments.reading import ThreadState
from commentsvc.extensions import db
from commentsvc.models import Comment, Status, Thread, utcnow

# Built once: a statement built per call costs more than the database's work on it.
_COMMENTS = Comment.__table__
_THREADS = Thread.__table__
_OWN_ROOT = (
    update(_COMMENTS).where(_COMMENTS.c.id == bindparam("cid")).values(root_id=bindparam("cid"))
)
_COUNT_NEW = (
    update(_THREADS)
    .where(_THREADS.c.id == bindparam("tid"))
    .values(
        version=_THREADS.c.version + 1,
        published_count=_THREADS.c.published_count + bindparam("published"),
    )
)


def record_new_comment(comment: Comment) -> None:
    """Account for a comment just added with its first status, in the caller's transaction."""
    comment.status_changed_at = utcnow()
    bump_thread(comment.thread_id, count_delta=int(comment.status == Status.PUBLISHED))


def store_new_comment(session: Session, comment: Comment, thread: Thread | ThreadState) -> None:
    """Insert a new comment into ``thread`` and account for it, in as few statements as can be.

    For the write lock: the INSERT (an ORM flush, so that webhooks see the new comment), then
    plain SQL on the transaction's connection for its own id as root (top-level comments) and
    the thread's count and version, without a second flush or the ORM evaluating the update
    against loaded objects. The thread's counters in this session are expired instead.
    """
    comment.thread_id = thread.id
    comment.status_changed_at = utcnow()
    session.add(comment)
    session.flush()
    connection = session.connection()
    if comment.root_id is None:
        connection.execute(_OWN_ROOT, {"cid": comment.id})
        set_committed_value(comment, "root_id", comment.id)
    published = int(comment.status == Status.PUBLISHED)
    connection.execute(_COUNT_NEW, {"tid": thread.id, "published": published})
    # The thread may be loaded in this session even when the post read it as a plain row.
    loaded = session.identity_map.get(session.identity_key(Thread, thread.id))
    if loaded is not None:
        session.expire(loaded, ["version", "published_count"])


def set_status(comment: Comment, new_status: Status | str) -> str:
    """Move a stored comment to ``new_status`` in the caller's transaction; returns the old one.

    The thread's published count changes by an atomic increment, so concurrent writers never
    lose a count; the thread's version is bumped so every cache of it is invalidated.
    """
    new_status = Status(new_status)
    old_status = Status(comment.status)
    comment.status = new_status
    comment.status_changed_at = utcnow()
    comment.revision = (comment.revision or 0) + 1
    delta = int(new_status == Status.PUBLISHED) - int(old_status == Status.PUBLISHED)
    bump_thread(comment.thread_id, count_delta=delta)
    return old_status


def bump_thread(thread_id: int, *, count_delta: int = 0) -> None:
    """Mark a thread as changed (and adjust its published count) in the caller's transaction."""
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread_id)
        .values(
            version=Thread.version + 1,
            published_count=Thread.published_count + count_delta,
        )
    )
