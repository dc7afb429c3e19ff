"""Full export of a site as JSON, and its import back (``commentsvc import json``).

The export streams row by row, so a large site never sits in memory at once. Ids in the file
are the exporting database's; importing maps them to new ones and keeps everything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from commentsvc.extensions import db
from commentsvc.importers.records import CommentRecord, ImportFileError, ImportReport, ThreadRecord
from commentsvc.importers.writer import import_id, import_records
from commentsvc.models import AuditEntry, Comment, Moderator, Site, Thread, utcnow

FORMAT = "commentsvc-export"
VERSION = 1
THREAD_FIELDS = ("id", "url", "title", "closed", "created_at")
COMMENT_FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "author_name",
    "author_email",
    "author_website",
    "body_source",
    "status",
    "created_at",
    "edited_at",
    "status_changed_at",
    "ip_hash",
    "user_agent",
    "spam_score",
    "spam_reasons",
    "model_version",
    "rule_reasons",
    "likes_count",
    "reports_count",
    "notify_replies",
)
AUDIT_FIELDS = (
    "created_at",
    "actor",
    "action",
    "comment_id",
    "status_before",
    "status_after",
    "reason",
    "text_before",
    "text_after",
    "details",
)
SITE_FIELDS = (
    "name",
    "origins",
    "moderation_mode",
    "default_lang",
    "max_depth",
    "edit_window_seconds",
    "close_after_days",
    "require_email",
    "require_name",
    "report_threshold",
    "erase_policy",
)
BATCH = 1000


def _value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in fields}


def _stream(query) -> Iterator[Any]:
    yield from db.session.scalars(query.execution_options(yield_per=BATCH))


def write_export(site: Site, out: IO[str]) -> dict[str, int]:
    """Write the whole site as one JSON document; returns what it counted."""
    counts = {"threads": 0, "comments": 0, "audit": 0}
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION},\n')
    out.write(f'"exported_at": {json.dumps(utcnow().isoformat())},\n')
    out.write(f'"site": {json.dumps(_row(site, SITE_FIELDS), ensure_ascii=False)}')
    threads = select(Thread).where(Thread.site_id == site.id).order_by(Thread.id)
    comments = (
        select(Comment)
        .join(Thread, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id)
        .order_by(Comment.id)
    )
    audit = select(AuditEntry).where(AuditEntry.site_id == site.id).order_by(AuditEntry.id)
    sections: list[tuple[str, Any, Callable[[Any], dict[str, Any]]]] = [
        ("threads", threads, lambda t: _row(t, THREAD_FIELDS)),
        ("comments", comments, lambda c: _row(c, COMMENT_FIELDS)),
        ("audit", audit, _audit_row),
    ]
    for name, query, to_row in sections:
        out.write(f',\n"{name}": [')
        for n, obj in enumerate(_stream(query)):
            out.write(("\n" if n == 0 else ",\n") + json.dumps(to_row(obj), ensure_ascii=False))
            counts[name] += 1
        out.write("\n]")
        db.session.expunge_all()
    out.write("\n}\n")
    return counts


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    row = _row(entry, AUDIT_FIELDS)
    if not row["actor"] and entry.moderator is not None:
        row["actor"] = entry.moderator.email
    return row


def _date(value: str | None, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ImportFileError(f"{where}: {value!r} is not a date") from exc


def _load(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"not UTF-8 text ({exc.reason})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFileError(f'not a commentsvc export (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise ImportFileError(f"export version {data.get('version')!r}: expected {VERSION}")
    return data


def _records(data: dict[str, Any]) -> Iterator[ThreadRecord | CommentRecord]:
    for section, build in (("threads", _thread_record), ("comments", _comment_record)):
        for n, item in enumerate(data.get(section) or []):
            where = f"{section}[{n}]"
            try:
                yield build(item, where)
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                raise ImportFileError(f"{where}: missing or wrong field ({exc})") from exc


def _thread_record(t: dict[str, Any], where: str) -> ThreadRecord:
    return ThreadRecord(
        source_id=str(t["id"]),
        url=str(t["url"]),
        title=t.get("title") or "",
        closed=bool(t.get("closed")),
        created_at=_date(t.get("created_at"), where),
    )


def _comment_record(c: dict[str, Any], where: str) -> CommentRecord:
    created = _date(c["created_at"], where)
    if created is None:
        raise ImportFileError(f"{where}: created_at is missing")
    extra = {k: c.get(k) for k in COMMENT_FIELDS if k not in _RECORD_FIELDS}
    for name in ("edited_at", "status_changed_at"):
        extra[name] = _date(extra.get(name), where)
    return CommentRecord(
        source_id=str(c["id"]),
        thread_source_id=str(c["thread_id"]),
        parent_source_id=str(c["parent_id"]) if c.get("parent_id") else None,
        body=c.get("body_source") or "",
        status=c["status"],
        created_at=created,
        author_name=c.get("author_name") or "",
        author_email=c.get("author_email"),
        author_website=c.get("author_website"),
        ip_hash=c.get("ip_hash"),
        extra=extra,
    )


_RECORD_FIELDS = {
    "id",
    "thread_id",
    "parent_id",
    "body_source",
    "status",
    "created_at",
    "author_name",
    "author_email",
    "author_website",
    "ip_hash",
}


def import_json(
    path: Path, site: Site, *, dry_run: bool = False, map_url: Callable[[str], str] = str
) -> ImportReport:
    """Read a ``commentsvc export`` file back into ``site`` (threads, comments, audit log)."""
    data = _load(path)
    return import_records(
        site,
        _records(data),
        source="json",
        dry_run=dry_run,
        map_url=map_url,
        finish=lambda session: _import_audit(session, site, data.get("audit") or []),
    )


def _import_audit(session: Session, site: Site, entries: list[dict[str, Any]]) -> None:
    """The audit log, in the import's transaction; an entry already present is not repeated."""
    for n, entry in enumerate(entries):
        row = _audit_values(site, entry, f"audit[{n}]")
        same_comment = (
            AuditEntry.comment_id.is_(None)
            if row["comment_id"] is None
            else AuditEntry.comment_id == row["comment_id"]
        )
        duplicate = session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.site_id == site.id,
                AuditEntry.created_at == row["created_at"],
                AuditEntry.action == row["action"],
                AuditEntry.actor == row["actor"],
                same_comment,
            )
        )
        if duplicate is None:
            session.execute(insert(AuditEntry).values(**row))


def _audit_values(site: Site, entry: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        row = {k: entry.get(k) for k in AUDIT_FIELDS}
        row["created_at"] = _date(entry["created_at"], where)
        row["action"] = str(entry["action"])
    except (KeyError, TypeError, AttributeError) as exc:
        raise ImportFileError(f"{where}: missing {exc}") from exc
    row["site_id"] = site.id
    row["actor"] = row["actor"] or ""
    row["reason"] = row["reason"] or ""
    row["details"] = row["details"] or {}
    if row["comment_id"] is not None:
        row["comment_id"] = db.session.scalar(
            select(Comment.id).where(
                Comment.import_source == "json",
                Comment.import_id == import_id(site, str(row["comment_id"])),
            )
        )
    if row["actor"]:
        row["moderator_id"] = db.session.scalar(
            select(Moderator.id).where(Moderator.email == row["actor"])
        )
    return row
