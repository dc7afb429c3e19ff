"""The audit log: every moderator action appended, never rewritten; an undo is a new entry."""

from __future__ import annotations

import enum
from typing import Any

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Comment, Moderator


class Action(enum.StrEnum):
    """The action names every team uses (agreed in the brief)."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    NOT_SPAM = "not_spam"
    BAN = "ban"
    DELETE = "delete"
    EDIT = "edit"
    UNDO = "undo"
    ERASE = "erase"
    SETTINGS = "settings"


# Model training labels (see the brief): the latest of these decisions on a comment.
TRAINING_LABELS = {Action.SPAM: 1, Action.NOT_SPAM: 0, Action.APPROVE: 0}


def record(
    action: Action | str,
    *,
    moderator: Moderator | None = None,
    actor: str = "",
    site_id: int | None = None,
    comment: Comment | None = None,
    status_before: str | None = None,
    status_after: str | None = None,
    reason: str = "",
    text_before: str | None = None,
    text_after: str | None = None,
    details: dict[str, Any] | None = None,
    undoes_id: int | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction."""
    entry = AuditEntry(
        action=str(Action(action)),
        moderator_id=moderator.id if moderator else None,
        actor=actor or (moderator.email if moderator else "system"),
        site_id=site_id if site_id is not None else (comment.thread.site_id if comment else None),
        comment_id=comment.id if comment else None,
        status_before=status_before,
        status_after=status_after,
        reason=reason,
        text_before=text_before,
        text_after=text_after,
        details=details or {},
        undoes_id=undoes_id,
    )
    db.session.add(entry)
    return entry
