"""A reader's own comments, as only the holder of their edit keys sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from commentsvc.comments.reading import ThreadComment
from commentsvc.extensions import db
from commentsvc.identity import edit_key_matches
from commentsvc.models import Comment, Site, Status, Thread, utcnow


@dataclass(frozen=True)
class OwnComment:
    """A reader's own comment, as only its author (holder of the edit key) sees it."""

    view: ThreadComment
    pending: bool
    body_source: str
    editable_until: datetime | None


def get_own_comments(site: Site, url: str, keys: dict[int, str]) -> list[OwnComment]:
    """The reader's comments on this page among ``keys`` (id -> edit key), in one query."""
    if not keys:
        return []
    rows = db.session.scalars(
        select(Comment)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Comment.id.in_(list(keys)[:50]),
            Thread.site_id == site.id,
            Thread.url == url,
            Comment.status.in_([Status.PUBLISHED, Status.PENDING]),
        )
        .order_by(Comment.created_at)
    )
    now = utcnow()
    own = []
    for comment in rows:
        if not edit_key_matches(keys.get(comment.id), comment.edit_key_hash):
            continue
        until = comment.created_at + timedelta(seconds=site.edit_window_seconds)
        own.append(
            OwnComment(
                view=ThreadComment.of(comment),
                pending=comment.status == Status.PENDING,
                body_source=comment.body_source,
                editable_until=until if until > now else None,
            )
        )
    return own
