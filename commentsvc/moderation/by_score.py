"""Decisions by score: "reject every pending comment of this thread scoring ≥ 0.98".

The moderator first sees how many comments the rule catches (``preview``), then confirms with
that count; if the count changed meanwhile the run is refused, so nobody decides on more than
they were shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import Comment, Moderator, Site, Status, Thread
from commentsvc.moderation.access import require_site
from commentsvc.moderation.actions import Decision, apply_decision, clean_reason
from commentsvc.moderation.audit import Action
from commentsvc.moderation.errors import ModerationError

MAX_BY_SCORE = 5000


@dataclass(frozen=True)
class ScoreRule:
    """Which comments: a site, optionally one thread, a status, and a score range."""

    site_id: int
    thread_id: int | None
    status: Status
    min_score: float
    max_score: float = 1.0


def check_rule(rule: ScoreRule, moderator: Moderator) -> None:
    """Refuse a rule on another site, an unknown thread or a nonsensical score range."""
    if db.session.get(Site, rule.site_id) is None:
        raise ModerationError(404, _l("This site does not exist."), code="not_found")
    require_site(moderator, rule.site_id)
    if rule.thread_id is not None:
        thread = db.session.get(Thread, rule.thread_id)
        if thread is None or thread.site_id != rule.site_id:
            raise ModerationError(
                404, _l("This page does not exist on this site."), code="not_found"
            )
    scores = (rule.min_score, rule.max_score)
    if not all(math.isfinite(s) and 0.0 <= s <= 1.0 for s in scores) or scores[0] > scores[1]:
        raise ModerationError(
            422,
            _l("Scores are numbers between 0 and 1, the minimum not above the maximum."),
            code="bad_score",
        )


def _where(rule: ScoreRule):
    clauses = [
        Comment.status == rule.status,
        Comment.spam_score >= rule.min_score,
        Comment.spam_score <= rule.max_score,
    ]
    if rule.thread_id is not None:
        clauses.append(Comment.thread_id == rule.thread_id)
    else:
        clauses.append(
            Comment.thread_id.in_(select(Thread.id).where(Thread.site_id == rule.site_id))
        )
    return clauses


def preview(rule: ScoreRule, *, moderator: Moderator) -> int:
    """How many comments the rule would decide now."""
    check_rule(rule, moderator)
    return db.session.scalar(select(func.count(Comment.id)).where(*_where(rule)))


def run(
    rule: ScoreRule, action: Action, *, expected: int, moderator: Moderator, reason: str = ""
) -> int:
    """Decide every comment the rule catches, if there are still exactly ``expected``."""
    check_rule(rule, moderator)
    reason = clean_reason(reason)
    if expected > MAX_BY_SCORE:
        raise ModerationError(
            413,
            _l("At most %(n)d comments can be decided at once: narrow the rule.", n=MAX_BY_SCORE),
            code="too_many",
        )
    with write_transaction():
        comments = list(
            db.session.scalars(
                select(Comment)
                .where(*_where(rule))
                .options(selectinload(Comment.thread))
                .limit(MAX_BY_SCORE + 1)
            )
        )
        if len(comments) != expected:
            raise ModerationError(
                409,
                _l(
                    "The rule now catches %(now)d comments, not %(then)d: check the preview again.",
                    now=len(comments),
                    then=expected,
                ),
                code="changed",
            )
        for comment in comments:
            apply_decision(comment, Decision(action, None, reason), moderator)
    return len(comments)
