"""The one way a comment's status is set: keeps thread counts and cache versions true."""

from __future__ import annotations

from sqlalchemy import update

from commentsvc.extensions import db
from commentsvc.models import Comment, Status, Thread, utcnow


def record_new_comment(comment: Comment) -> None:
    """Account for a comment just added with its first status, in the caller's transaction."""
    comment.status_changed_at = utcnow()
    bump_thread(comment.thread_id, count_delta=int(comment.status == Status.PUBLISHED))


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
