"""Store parsed records in one transaction: all or nothing, idempotent by source id.

Memory stays bounded whatever the file size: comments go to the database in batches through
Core inserts (no ORM identity map), the parent links wait in a temporary table, and only the
map of thread ids (one entry per page) is kept in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.orm import Session

from commentsvc.database import write_transaction
from commentsvc.duplicates import fingerprint
from commentsvc.identity import avatar_seed, hash_ip
from commentsvc.importers.records import (
    CommentRecord,
    ImportFileError,
    ImportReport,
    Skipped,
    ThreadRecord,
)
from commentsvc.markup import render_markdown
from commentsvc.models import Comment, Site, Status, Thread
from commentsvc.sites import url_belongs_to_site

BATCH = 500
_links_metadata = MetaData()
# Temporary: (new comment id, its parent's source id), resolved to ids at the end.
_links = Table(
    "import_parent_links",
    _links_metadata,
    Column("comment_id", Integer, primary_key=True),
    Column("parent_import_id", String(255)),
    prefixes=["TEMPORARY"],
)
COMMENT_EXTRA_COLUMNS = {
    "edited_at",
    "status_changed_at",
    "spam_score",
    "spam_reasons",
    "model_version",
    "rule_reasons",
    "likes_count",
    "reports_count",
    "notify_replies",
    "user_agent",
}


class _DryRun(Exception):
    """Raised to roll back a dry run once everything has been checked."""


UrlMap = Callable[[str], str]


def import_records(
    site: Site,
    records: Iterable[ThreadRecord | CommentRecord | Skipped],
    *,
    source: str,
    dry_run: bool = False,
    map_url: UrlMap = lambda url: url,
    finish: Callable[[Session], None] | None = None,
) -> ImportReport:
    """Write ``records`` for ``site`` in one transaction; a ``dry_run`` rolls it back.

    ``finish`` runs last in the same transaction (the JSON import adds the audit log there).
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with write_transaction() as session:
            _Writer(session, site, source, report, map_url).run(records)
            if finish is not None:
                finish(session)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def import_id(site: Site, source_id: str) -> str:
    """Source ids are unique per source system, not across sites: prefix the site."""
    return f"{site.id}/{source_id}"


class _Writer:
    def __init__(
        self, session: Session, site: Site, source: str, report: ImportReport, map_url: UrlMap
    ) -> None:
        self.session = session
        self.site = site
        self.source = source
        self.report = report
        self.map_url = map_url
        self.threads: dict[str, int] = {}
        self.batch: list[CommentRecord] = []
        self.first_new_id: int | None = None

    def run(self, records: Iterable[ThreadRecord | CommentRecord | Skipped]) -> None:
        _links.drop(self.session.connection(), checkfirst=True)
        _links.create(self.session.connection())
        for record in records:
            if isinstance(record, ThreadRecord):
                self._flush_comments()
                self._thread(record)
            elif isinstance(record, CommentRecord):
                self.batch.append(record)
                if len(self.batch) >= BATCH:
                    self._flush_comments()
            else:
                self.report.skipped[record.kind] = self.report.skipped.get(record.kind, 0) + 1
        self._flush_comments()
        self._resolve_parents()
        self._recount_threads()
        _links.drop(self.session.connection())

    def _thread(self, record: ThreadRecord) -> None:
        if record.source_id in self.threads:
            return
        url = self.map_url(record.url)
        if not url_belongs_to_site(url, self.site):
            self.report.foreign_threads += 1
            self.report.foreign_example = self.report.foreign_example or url
        existing = self.session.scalar(
            select(Thread.id).where(Thread.site_id == self.site.id, Thread.url == url)
        )
        if existing is not None:
            self.report.threads_reused += 1
            self.threads[record.source_id] = existing
            return
        values: dict[str, Any] = {
            "site_id": self.site.id,
            "url": url,
            "title": record.title[:300],
            "closed": record.closed,
            "import_source": self.source,
            "import_id": import_id(self.site, record.source_id),
        }
        if record.created_at is not None:
            values["created_at"] = record.created_at
        new_id = self.session.execute(
            insert(Thread).values(**values).returning(Thread.id)
        ).scalar_one()
        self.threads[record.source_id] = new_id
        self.report.threads_created += 1

    def _flush_comments(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        ids = {import_id(self.site, r.source_id) for r in batch}
        existing = set(
            self.session.scalars(
                select(Comment.import_id).where(
                    Comment.import_source == self.source, Comment.import_id.in_(ids)
                )
            )
        )
        rows, links = [], []
        for record in batch:
            key = import_id(self.site, record.source_id)
            if key in existing:
                self.report.comments_already_there += 1
                continue
            existing.add(key)
            rows.append(self._comment_row(record, key))
            if record.parent_source_id:
                links.append((key, import_id(self.site, record.parent_source_id)))
            self.report.comments_created += 1
            self.report.by_status[record.status] = self.report.by_status.get(record.status, 0) + 1
        if not rows:
            return
        self.session.execute(insert(Comment), rows)
        if self.first_new_id is None:
            self.first_new_id = self.session.scalar(
                select(func.min(Comment.id)).where(
                    Comment.import_source == self.source, Comment.import_id == rows[0]["import_id"]
                )
            )
        if links:
            self._store_links(links)

    def _store_links(self, links: list[tuple[str, str]]) -> None:
        ids = dict(
            self.session.execute(
                select(Comment.import_id, Comment.id).where(
                    Comment.import_source == self.source,
                    Comment.import_id.in_([child for child, _parent in links]),
                )
            ).all()
        )
        self.session.execute(
            insert(_links),
            [{"comment_id": ids[child], "parent_import_id": parent} for child, parent in links],
        )

    def _comment_row(self, record: CommentRecord, key: str) -> dict[str, Any]:
        thread_id = self.threads.get(record.thread_source_id)
        if thread_id is None:
            raise ImportFileError(
                f"comment {record.source_id}: its thread {record.thread_source_id!r} is not in "
                "the file"
            )
        if record.status not in set(Status):
            raise ImportFileError(f"comment {record.source_id}: unknown status {record.status!r}")
        row: dict[str, Any] = {
            "thread_id": thread_id,
            "parent_id": None,
            "root_id": None,
            "depth": 0,
            "author_name": record.author_name[:100],
            "author_email": (record.author_email or None) and record.author_email[:254],
            "author_website": (record.author_website or None) and record.author_website[:500],
            "avatar_hash": avatar_seed(record.author_email, record.author_name),
            "body_source": record.body,
            "body_fingerprint": fingerprint(record.body),
            # Never HTML from a file: the one sanitiser renders the source.
            "body_html": render_markdown(record.body) if record.body else "",
            "status": record.status,
            "created_at": record.created_at,
            "status_changed_at": record.created_at,
            "ip_hash": record.ip_hash or hash_ip(record.ip),
            "import_source": self.source,
            "import_id": key,
        }
        for name in COMMENT_EXTRA_COLUMNS:
            row.setdefault(name, None)
        for name, value in record.extra.items():
            if name in COMMENT_EXTRA_COLUMNS and value is not None:
                row[name] = value
        for name, default in (("spam_reasons", []), ("rule_reasons", []), ("likes_count", 0)):
            row[name] = row[name] if row[name] is not None else default
        row["reports_count"] = row["reports_count"] or 0
        row["notify_replies"] = bool(row["notify_replies"])
        return row

    def _resolve_parents(self) -> None:
        if self.first_new_id is None:
            return
        parent = Comment.__table__.alias("parent")
        parent_id = (
            select(parent.c.id)
            .select_from(_links.join(parent, parent.c.import_id == _links.c.parent_import_id))
            .where(
                _links.c.comment_id == Comment.id,
                parent.c.import_source == self.source,
                parent.c.thread_id == Comment.thread_id,
            )
            .scalar_subquery()
        )
        self.session.execute(
            update(Comment)
            .where(Comment.id.in_(select(_links.c.comment_id)))
            .values(parent_id=parent_id)
            .execution_options(synchronize_session=False)
        )
        self._set_depths()

    def _set_depths(self) -> None:
        new = (Comment.id >= self.first_new_id, Comment.import_source == self.source)
        self.session.execute(
            update(Comment)
            .where(*new, Comment.parent_id.is_(None))
            .values(root_id=Comment.id, depth=0)
            .execution_options(synchronize_session=False)
        )
        parent = Comment.__table__.alias("parent")

        def of_parent(column: str, plus: int = 0):
            return (
                select(parent.c[column] + plus)
                .where(parent.c.id == Comment.parent_id)
                .scalar_subquery()
            )

        # One level per round: a tree of depth d takes d rounds.
        while True:
            result = self.session.execute(
                update(Comment)
                .where(
                    *new,
                    Comment.root_id.is_(None),
                    Comment.parent_id.in_(select(parent.c.id).where(parent.c.root_id.is_not(None))),
                )
                .values(root_id=of_parent("root_id"), depth=of_parent("depth", 1))
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:
                break
        self._count_orphans(new)

    def _count_orphans(self, new: tuple[Any, ...]) -> None:
        # Links whose parent was not found (or a cycle): those replies stay at the top level.
        self.report.orphans = (
            self.session.scalar(
                select(func.count())
                .select_from(_links)
                .join(Comment, Comment.id == _links.c.comment_id)
                .where(Comment.parent_id.is_(None))
            )
            or 0
        )
        self.session.execute(
            update(Comment)
            .where(*new, Comment.root_id.is_(None))
            .values(parent_id=None, root_id=Comment.id, depth=0)
            .execution_options(synchronize_session=False)
        )

    def _recount_threads(self) -> None:
        thread_ids = list(set(self.threads.values()))
        published = (
            select(func.count(Comment.id))
            .where(Comment.thread_id == Thread.id, Comment.status == Status.PUBLISHED)
            .scalar_subquery()
        )
        for start in range(0, len(thread_ids), BATCH):
            chunk = thread_ids[start : start + BATCH]
            self.session.execute(
                update(Thread)
                .where(Thread.id.in_(chunk))
                .values(published_count=published, version=Thread.version + 1)
                .execution_options(synchronize_session=False)
            )
