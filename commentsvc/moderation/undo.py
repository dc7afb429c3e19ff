"""Undoing an audited action: restores what it changed and logs the undo as a new entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from commentsvc.comments.status import bump_thread, set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.markup import render_markdown
from commentsvc.models import AuditEntry, Ban, Comment, Moderator
from commentsvc.moderation import audit
from commentsvc.moderation.access import require_admin, require_site
from commentsvc.moderation.actions import DECISIONS
from commentsvc.moderation.audit import Action
from commentsvc.moderation.errors import ModerationError


def _conflict() -> ModerationError:
    return ModerationError(
        409,
        _l("This comment changed after that action: it cannot be undone automatically."),
        code="changed",
    )


def undone_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries already have an undo."""
    if not entry_ids:
        return set()
    return set(
        db.session.scalars(select(AuditEntry.undoes_id).where(AuditEntry.undoes_id.in_(entry_ids)))
    )


def can_undo(entry: AuditEntry) -> bool:
    return entry.action in {*map(str, DECISIONS), Action.EDIT, Action.SETTINGS}


def undo(entry_id: int, *, moderator: Moderator) -> AuditEntry:
    """Undo one entry; refused when it cannot be, or when its comment changed since."""
    with write_transaction():
        entry = db.session.get(AuditEntry, entry_id)
        if entry is None:
            raise ModerationError(404, _l("This log entry does not exist."), code="not_found")
        require_site(moderator, entry.site_id)
        if not can_undo(entry):
            raise ModerationError(
                422, _l("This kind of action cannot be undone."), code="not_undoable"
            )
        if undone_ids([entry.id]):
            raise ModerationError(409, _l("This action was already undone."), code="done")
        if entry.action == Action.SETTINGS:
            return _undo_settings(entry, moderator)
        comment = db.session.get(Comment, entry.comment_id) if entry.comment_id else None
        if comment is None:
            raise ModerationError(404, _l("The comment no longer exists."), code="gone")
        if entry.action == Action.EDIT:
            return _undo_edit(entry, comment, moderator)
        return _undo_decision(entry, comment, moderator)


def _undo_decision(entry: AuditEntry, comment: Comment, moderator: Moderator) -> AuditEntry:
    if comment.status != entry.status_after or not entry.status_before:
        raise _conflict()
    ban_ids = (entry.details or {}).get("ban_ids") or []
    if ban_ids:
        db.session.execute(delete(Ban).where(Ban.id.in_(ban_ids)))
    before = set_status(comment, entry.status_before)
    return audit.record(
        Action.UNDO,
        moderator=moderator,
        comment=comment,
        status_before=before,
        status_after=entry.status_before,
        details={"undone_action": entry.action, "bans_lifted": len(ban_ids)},
        undoes_id=entry.id,
    )


def _undo_edit(entry: AuditEntry, comment: Comment, moderator: Moderator) -> AuditEntry:
    if comment.body_source != entry.text_after or entry.text_before is None:
        raise _conflict()
    comment.body_source = entry.text_before
    comment.body_html = render_markdown(entry.text_before)
    comment.revision = (comment.revision or 0) + 1
    bump_thread(comment.thread_id)
    return audit.record(
        Action.UNDO,
        moderator=moderator,
        comment=comment,
        status_before=comment.status,
        status_after=comment.status,
        text_before=entry.text_after,
        text_after=entry.text_before,
        details={"undone_action": entry.action},
        undoes_id=entry.id,
    )


def _undo_settings(entry: AuditEntry, moderator: Moderator) -> AuditEntry:
    from commentsvc.models import Site
    from commentsvc.moderation.site_settings import apply_values, current_values

    require_admin(moderator)
    site = db.session.get(Site, entry.site_id) if entry.site_id else None
    before = (entry.details or {}).get("before")
    if site is None or not isinstance(before, dict):
        raise ModerationError(404, _l("The site no longer exists."), code="gone")
    if current_values(site) != (entry.details or {}).get("after"):
        raise ModerationError(
            409,
            _l("The settings changed again after this change: edit them instead."),
            code="changed",
        )
    now = current_values(site)
    apply_values(site, before)
    return audit.record(
        Action.UNDO,
        moderator=moderator,
        site_id=site.id,
        details={"undone_action": entry.action, "before": now, "after": before},
        undoes_id=entry.id,
    )
