"""Moderator decisions on comments: one, a selection, or every comment above a score.

Every status change goes through ``comments.status.set_status`` (counts and cache versions stay
true), is appended to the audit log, resolves the comment's open reports and queues the
notifications it causes, all in one transaction: a refused request changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from commentsvc.comments.status import set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import BanKind, Comment, Moderator, Report, Status
from commentsvc.moderation import audit
from commentsvc.moderation.access import require_site
from commentsvc.moderation.audit import Action
from commentsvc.moderation.bans import add_ban
from commentsvc.moderation.errors import ModerationError
from commentsvc.notifications import events

MAX_SELECTION = 200
MAX_REASON = 500
MAX_EDIT = 5000

# The status each decision leads to.
TARGET_STATUS: dict[Action, Status] = {
    Action.APPROVE: Status.PUBLISHED,
    Action.NOT_SPAM: Status.PUBLISHED,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
    Action.BAN: Status.REJECTED,
    Action.DELETE: Status.DELETED,
}
DECISIONS = tuple(TARGET_STATUS)


@dataclass(frozen=True)
class Decision:
    """What a moderator asked: the action, the revision they saw, an optional reason."""

    action: Action
    revision: int | None = None
    reason: str = ""


def parse_action(value: str) -> Action:
    """A decision name from a form; refuses anything else (422)."""
    try:
        action = Action(value)
    except ValueError:
        action = None
    if action not in TARGET_STATUS:
        raise ModerationError(422, _l("Unknown action."), code="bad_action")
    return action


def clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON:
        raise ModerationError(
            422, _l("The reason is too long (500 characters at most)."), code="reason"
        )
    return reason


def load_comment(comment_id: int, moderator: Moderator) -> Comment:
    """A comment the moderator may act on: 404 if unknown, 403 if on another site."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ModerationError(404, _l("This comment does not exist."), code="not_found")
    require_site(moderator, comment.thread.site_id)
    return comment


def _stale() -> ModerationError:
    return ModerationError(
        409,
        _l(
            "This comment changed since you opened it (another moderator or its author acted). "
            "Look at it again before deciding."
        ),
        code="stale",
    )


def apply_decision(comment: Comment, decision: Decision, moderator: Moderator) -> None:
    """One decision, in the caller's transaction."""
    target = TARGET_STATUS[decision.action]
    details: dict = {}
    if decision.action == Action.BAN:
        details["ban_ids"] = _ban_author(comment, moderator, decision.reason)
    before = set_status(comment, target)
    comment.claimed_by_id = None
    comment.claimed_until = None
    resolved = db.session.execute(
        update(Report)
        .where(Report.comment_id == comment.id, Report.resolved.is_(False))
        .values(resolved=True)
    ).rowcount
    if resolved:
        details["reports_resolved"] = resolved
    audit.record(
        decision.action,
        moderator=moderator,
        comment=comment,
        status_before=before,
        status_after=target,
        reason=decision.reason,
        details=details,
    )
    events.status_changed(comment, before)


def _ban_author(comment: Comment, moderator: Moderator, reason: str) -> list[int]:
    site_id = comment.thread.site_id
    ids = []
    for kind, value in (
        (BanKind.EMAIL, comment.author_email),
        (BanKind.IP, comment.ip_hash),
    ):
        ban = add_ban(site_id, kind, value or "", reason=reason, moderator_id=moderator.id)
        if ban is not None:
            db.session.flush()
            ids.append(ban.id)
    return ids


def decide(comment_id: int, decision: Decision, *, moderator: Moderator) -> Comment:
    """Apply one decision; refused if the comment changed since the moderator saw it."""
    reason = clean_reason(decision.reason)
    with write_transaction():
        comment = load_comment(comment_id, moderator)
        if decision.revision is not None and comment.revision != decision.revision:
            raise _stale()
        apply_decision(comment, Decision(decision.action, decision.revision, reason), moderator)
    return comment


def decide_many(
    selection: Sequence[tuple[int, int | None]],
    action: Action,
    *,
    moderator: Moderator,
    reason: str = "",
) -> int:
    """Apply one decision to a selection of (comment id, revision seen); all or nothing."""
    if not selection:
        raise ModerationError(422, _l("Select at least one comment."), code="empty")
    if len(selection) > MAX_SELECTION:
        raise ModerationError(
            413,
            _l("At most %(n)d comments can be decided at once.", n=MAX_SELECTION),
            code="too_many",
        )
    reason = clean_reason(reason)
    seen = dict(selection)
    with write_transaction():
        comments = list(
            db.session.scalars(
                select(Comment).where(Comment.id.in_(seen)).options(selectinload(Comment.thread))
            )
        )
        if len(comments) != len(seen):
            raise ModerationError(
                404, _l("Some of the selected comments do not exist."), code="not_found"
            )
        for comment in comments:
            require_site(moderator, comment.thread.site_id)
            if seen[comment.id] is not None and seen[comment.id] != comment.revision:
                raise _stale()
        for comment in comments:
            apply_decision(comment, Decision(action, None, reason), moderator)
    return len(comments)


def edit_text(comment_id: int, body: str, *, revision: int | None, moderator: Moderator) -> Comment:
    """A moderator's correction of a comment's text (e.g. removing a phone number)."""
    from commentsvc.comments.status import bump_thread
    from commentsvc.markup import render_markdown

    body = (body or "").strip()
    if not body:
        raise ModerationError(422, _l("The text cannot be empty."), code="empty")
    if len(body) > MAX_EDIT:
        raise ModerationError(422, _l("The text is too long."), code="too_long")
    with write_transaction():
        comment = load_comment(comment_id, moderator)
        if revision is not None and comment.revision != revision:
            raise _stale()
        before = comment.body_source
        comment.body_source = body
        comment.body_html = render_markdown(body)
        comment.revision = (comment.revision or 0) + 1
        bump_thread(comment.thread_id)
        audit.record(
            Action.EDIT,
            moderator=moderator,
            comment=comment,
            status_before=comment.status,
            status_after=comment.status,
            text_before=before,
            text_after=body,
        )
    return comment
