"""Reading the audit log: filters, keyset pages, one comment's history, the export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Moderator
from commentsvc.moderation.access import allowed_site_ids, site_by_name
from commentsvc.moderation.audit import Action
from commentsvc.moderation.errors import ModerationError

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    site: str | None = None
    action: str | None = None
    actor: str = ""
    comment_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    before_id: int | None = None

    def as_args(self, **changes: Any) -> dict[str, Any]:
        values = replace(self, **changes)
        args = {
            "site": values.site,
            "action": values.action,
            "actor": values.actor,
            "comment": values.comment_id,
            "from": values.date_from.isoformat() if values.date_from else None,
            "to": values.date_to.isoformat() if values.date_to else None,
            "before": values.before_id,
        }
        return {k: v for k, v in args.items() if v not in (None, "")}


def _bad(message: Any) -> ModerationError:
    return ModerationError(400, message, code="bad_filter")


def _number(value: str | None, name: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise _bad(_l("%(name)s: a whole number.", name=name))
    return int(value)


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(_l("%(name)s: a date such as 2026-01-31.", name=name)) from None


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Filters from a query string; bad values are refused (400) naming the field."""
    action = args.get("action") or None
    if action is not None and action not in set(Action):
        raise _bad(_l("Unknown action."))
    return AuditFilters(
        site=args.get("site") or None,
        action=action,
        actor=(args.get("actor") or "").strip()[:254],
        comment_id=_number(args.get("comment"), "comment"),
        date_from=_day(args.get("from"), "from"),
        date_to=_day(args.get("to"), "to"),
        before_id=_number(args.get("before"), "before"),
    )


def list_entries(
    filters: AuditFilters, *, moderator: Moderator, limit: int = PAGE_SIZE
) -> tuple[list[AuditEntry], int | None]:
    """Newest first; returns the entries and the id to continue before (or None)."""
    query = select(AuditEntry).options(selectinload(AuditEntry.moderator))
    allowed = allowed_site_ids(moderator)
    if filters.site:
        query = query.where(AuditEntry.site_id == site_by_name(filters.site, moderator).id)
    elif allowed is not None:
        query = query.where(AuditEntry.site_id.in_(allowed))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor.lower())
    if filters.comment_id is not None:
        query = query.where(AuditEntry.comment_id == filters.comment_id)
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(), UTC)
        query = query.where(AuditEntry.created_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to, time(), UTC) + timedelta(days=1)
        query = query.where(AuditEntry.created_at < end)
    if filters.before_id is not None:
        query = query.where(AuditEntry.id < filters.before_id)
    entries = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    if len(entries) > limit:
        return entries[:limit], entries[limit - 1].id
    return entries, None


def entries_for_comment(comment_id: int) -> list[AuditEntry]:
    """A comment's whole history, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.comment_id == comment_id).order_by(AuditEntry.id)
        )
    )


def export_entries(site_id: int) -> list[dict[str, Any]]:
    """A site's audit log as plain data (for ``commentsvc export``)."""
    rows = db.session.scalars(
        select(AuditEntry).where(AuditEntry.site_id == site_id).order_by(AuditEntry.id)
    )
    return [
        {
            "id": e.id,
            "created_at": e.created_at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "comment_id": e.comment_id,
            "status_before": e.status_before,
            "status_after": e.status_after,
            "reason": e.reason,
            "text_before": e.text_before,
            "text_after": e.text_after,
            "details": e.details or {},
            "undoes_id": e.undoes_id,
        }
        for e in rows
    ]
