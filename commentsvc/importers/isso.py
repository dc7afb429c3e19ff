"""Isso's SQLite database, opened read-only; its Markdown sources are kept as they are."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from commentsvc.importers.records import CommentRecord, ImportFileError, ThreadRecord
from commentsvc.models import Status

# Isso's comment modes.
MODES = {1: Status.PUBLISHED, 2: Status.PENDING, 4: Status.DELETED}


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        connection.execute("SELECT id, uri, title FROM threads LIMIT 1").fetchall()
        connection.execute("SELECT tid, id, parent, created, mode FROM comments LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path}: not an Isso database ({exc})") from exc
    return connection


def _page_url(uri: str, base_url: str) -> str:
    """Isso stores paths (``/blog/post/``): they belong to the site's first origin."""
    return uri if "://" in uri else base_url.rstrip("/") + "/" + uri.lstrip("/")


def parse(path: Path, *, base_url: str) -> Iterator[ThreadRecord | CommentRecord]:
    """Records of an Isso database: its threads, then its comments in id order."""
    connection = _connect(path)
    try:
        for tid, uri, title in connection.execute("SELECT id, uri, title FROM threads ORDER BY id"):
            yield ThreadRecord(source_id=str(tid), url=_page_url(uri, base_url), title=title or "")
        rows = connection.execute(
            "SELECT tid, id, parent, created, modified, mode, remote_addr, text, author, "
            "email, website, likes FROM comments ORDER BY id"
        )
        for row in rows:
            yield _comment(*row)
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path}: unreadable Isso database ({exc})") from exc
    finally:
        connection.close()


def _comment(tid, cid, parent, created, modified, mode, addr, text, author, email, website, likes):
    if mode not in MODES:
        raise ImportFileError(f"comment {cid}: unknown Isso mode {mode!r}")
    try:
        created_at = datetime.fromtimestamp(float(created), UTC)
        edited_at = datetime.fromtimestamp(float(modified), UTC) if modified else None
    except (TypeError, ValueError, OverflowError) as exc:
        raise ImportFileError(f"comment {cid}: bad date {created!r}") from exc
    status = MODES[mode]
    return CommentRecord(
        source_id=str(cid),
        thread_source_id=str(tid),
        parent_source_id=str(parent) if parent else None,
        body="" if status == Status.DELETED else (text or ""),
        status=status,
        created_at=created_at,
        author_name=author or "",
        author_email=(email or "").lower() or None,
        author_website=website or None,
        ip=addr or None,
        extra={"edited_at": edited_at, "likes_count": int(likes or 0)},
    )
