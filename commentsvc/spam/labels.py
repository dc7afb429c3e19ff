"""Moderators' decisions as training labels: each comment's latest spam / not-spam decision."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Comment
from commentsvc.spam.base import CommentText
from commentsvc.spam.data import Dataset, LabelledComment

LABEL_OF_ACTION = {"spam": 1, "not_spam": 0, "approve": 0}
GROUP = "moderators"
# One decision in five (by comment id) is never trained on: the held-out data on which a new
# model and the current one are compared, the same for every version.
HOLDOUT_MODULO = 5


def is_held_out(comment_id: int) -> bool:
    return comment_id % HOLDOUT_MODULO == 0


def latest_decisions() -> dict[int, int]:
    """comment id → label, from the audit log; undone decisions do not count."""
    undone = select(AuditEntry.undoes_id).where(
        AuditEntry.action == "undo", AuditEntry.undoes_id.is_not(None)
    )
    rows = db.session.execute(
        select(AuditEntry.comment_id, AuditEntry.action)
        .where(
            AuditEntry.action.in_(LABEL_OF_ACTION),
            AuditEntry.comment_id.is_not(None),
            AuditEntry.id.not_in(undone),
        )
        .order_by(AuditEntry.created_at, AuditEntry.id)
    ).all()
    latest: dict[int, int] = {}
    for comment_id, action in rows:
        latest[comment_id] = LABEL_OF_ACTION[action]
    return latest


def _comments(ids: Iterable[int]) -> list[Comment]:
    ids = sorted(ids)
    found: list[Comment] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        # Each comment's thread URL is the page it was posted under (one query per chunk).
        query = select(Comment).where(Comment.id.in_(chunk)).options(selectinload(Comment.thread))
        found.extend(db.session.scalars(query))
    return sorted(found, key=lambda comment: comment.id)


def moderator_labels() -> tuple[Dataset, Dataset]:
    """(training part, held-out part) of the moderators' decisions; erased bodies are skipped."""
    decisions = latest_decisions()
    train: list[LabelledComment] = []
    held_out: list[LabelledComment] = []
    for comment in _comments(decisions):
        if not (comment.body_source or "").strip():
            continue
        text = CommentText(
            body=comment.body_source,
            author=comment.author_name or "",
            website=comment.author_website or "",
            email=comment.author_email or "",
            page_url=comment.thread.url,
        )
        item = LabelledComment(text, decisions[comment.id], GROUP, comment.id)
        (held_out if is_held_out(comment.id) else train).append(item)
    sources = {f"{GROUP} (database)": f"{len(train)} decisions"} if train else {}
    return Dataset(tuple(train), sources), Dataset(tuple(held_out), {})
