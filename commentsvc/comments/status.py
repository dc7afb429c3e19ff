"""The one way a comment's status is set: keeps thread counts and cache versions true."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, inspect, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from commentsvc import webhooks
from commentsvc.comments.reading import ThreadState
from commentsvc.extensions import db
from commentsvc.models import Comment, Status, Thread, utcnow

# Built once: a statement built per call costs more than the database's work on it.
_COMMENTS = Comment.__table__
_THREADS = Thread.__table__
_INSERT_COMMENT = insert(_COMMENTS)
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

    For the write lock: plain SQL on the transaction's connection, no flush (the ORM's unit of
    work cost more than the three statements): the INSERT, the comment's own id as root (a
    top-level comment), the thread's count and version. The comment then joins the session as
    stored, with every column as written, and the webhooks hear of it as from a flush. The
    thread's counters in this session are expired.
    """
    comment.thread_id = thread.id
    comment.status_changed_at = utcnow()
    connection = session.connection()
    mapper = inspect(Comment)
    written = {
        attr.key: getattr(comment, attr.key)
        for attr in mapper.column_attrs
        if attr.key in comment.__dict__
    }
    result = connection.execute(_INSERT_COMMENT, written)
    # With the defaults the INSERT filled in (creation time, counters), as the row now is.
    stored = {**result.last_inserted_params(), "id": result.inserted_primary_key[0]}
    if comment.root_id is None:
        connection.execute(_OWN_ROOT, {"cid": stored["id"]})
        stored["root_id"] = stored["id"]
    for attr in mapper.column_attrs:
        set_committed_value(comment, attr.key, stored.get(attr.key))
    make_transient_to_detached(comment)
    session.add(comment)
    published = int(comment.status == Status.PUBLISHED)
    connection.execute(_COUNT_NEW, {"tid": thread.id, "published": published})
    # The thread may be loaded in this session even when the post read it as a plain row.
    loaded = session.identity_map.get(session.identity_key(Thread, thread.id))
    if loaded is not None:
        session.expire(loaded, ["version", "published_count"])
    webhooks.comment_inserted(connection, comment)


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
