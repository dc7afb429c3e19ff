"""Claims: a moderator looking at a comment holds it for a few minutes; others see who.

A claim is advice, not a lock: the guarantee against lost updates is the comment's
``revision``, which every decision names (see ``actions.decide``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import Comment, Moderator, utcnow
from commentsvc.moderation.actions import load_comment

CLAIM_DURATION = timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    """Who holds a comment and until when; ``mine`` when it is the asking moderator."""

    holder_id: int
    holder: str
    until: datetime
    mine: bool


def current_claim(comment: Comment, viewer: Moderator, now: datetime | None = None) -> Claim | None:
    """The claim in force on a comment, or None."""
    now = now or utcnow()
    if comment.claimed_by_id is None or comment.claimed_until is None:
        return None
    if comment.claimed_until <= now:
        return None
    holder = db.session.get(Moderator, comment.claimed_by_id)
    name = (holder.display_name or holder.email) if holder else "?"
    return Claim(
        comment.claimed_by_id, name, comment.claimed_until, comment.claimed_by_id == viewer.id
    )


def claim(comment_id: int, *, moderator: Moderator, now: datetime | None = None) -> Claim | None:
    """Take (or renew) the claim unless another moderator holds it; returns the claim in force."""
    now = now or utcnow()
    comment = load_comment(comment_id, moderator)
    with write_transaction() as session:
        # One conditional UPDATE: two moderators opening at once cannot both win.
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .where(
                or_(
                    Comment.claimed_by_id.is_(None),
                    Comment.claimed_by_id == moderator.id,
                    Comment.claimed_until.is_(None),
                    Comment.claimed_until <= now,
                )
            )
            .values(claimed_by_id=moderator.id, claimed_until=now + CLAIM_DURATION)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(comment)
    return current_claim(comment, moderator, now)


def release(comment_id: int, *, moderator: Moderator) -> None:
    """Give back one's own claim (e.g. moving on to the next item)."""
    with write_transaction() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id, Comment.claimed_by_id == moderator.id)
            .values(claimed_by_id=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
