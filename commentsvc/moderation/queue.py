"""The review queue: tabs, filters, sorts and keyset pages that stay fast on 100,000 items.

Pages are cut on (sort value, id) rather than OFFSET, so page 400 costs what page 1 does, and
each page's cards are filled by a fixed number of batched queries whatever the page size.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, func, literal, select, tuple_
from sqlalchemy.orm import selectinload

from commentsvc.extensions import db
from commentsvc.models import Comment, Moderator, Report, Site, Status, Thread, utcnow
from commentsvc.moderation.access import allowed_site_ids, require_site
from commentsvc.moderation.errors import ModerationError

TABS = ("pending", "reported", "spam", "published", "rejected")
SORTS = ("newest", "oldest", "score", "reports")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_TEXT = 200


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "pending"
    site: str | None = None
    thread_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    score_min: float | None = None
    score_max: float | None = None
    text: str = ""
    author: str = ""
    sort: str = "newest"
    cursor: str | None = None
    limit: int = PAGE_SIZE

    def as_args(self, **changes: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for links), without empty ones."""
        values = replace(self, **changes)
        args = {
            "tab": values.tab,
            "site": values.site,
            "thread": values.thread_id,
            "from": values.date_from.isoformat() if values.date_from else None,
            "to": values.date_to.isoformat() if values.date_to else None,
            "min": values.score_min,
            "max": values.score_max,
            "q": values.text,
            "author": values.author,
            "sort": values.sort if values.sort != "newest" else None,
            "cursor": values.cursor,
        }
        return {k: v for k, v in args.items() if v not in (None, "")}


def _bad(message: Any) -> ModerationError:
    return ModerationError(400, message, code="bad_filter")


def _score(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= 1:
        raise _bad(_l("%(name)s: a score between 0 and 1.", name=name))
    return number


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad(_l("%(name)s: a date such as 2026-01-31.", name=name)) from None


def parse_filters(args: Mapping[str, str]) -> QueueFilters:
    """Filters from a query string; refuses bad values (400) naming the field."""
    tab = args.get("tab") or "pending"
    if tab not in TABS:
        raise _bad(_l("Unknown tab."))
    sort = args.get("sort") or "newest"
    if sort not in SORTS:
        raise _bad(_l("Unknown sort order."))
    thread = args.get("thread") or ""
    if thread and not thread.isdigit():
        raise _bad(_l("thread: the number of a page."))
    filters = QueueFilters(
        tab=tab,
        site=(args.get("site") or None),
        thread_id=int(thread) if thread else None,
        date_from=_day(args.get("from", ""), "from"),
        date_to=_day(args.get("to", ""), "to"),
        score_min=_score(args.get("min", ""), "min"),
        score_max=_score(args.get("max", ""), "max"),
        text=(args.get("q") or "").strip()[:MAX_TEXT],
        author=(args.get("author") or "").strip()[:MAX_TEXT],
        sort=sort,
        cursor=args.get("cursor") or None,
    )
    low, high = filters.score_min, filters.score_max
    if low is not None and high is not None and low > high:
        raise _bad(_l("The minimum score is above the maximum."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise _bad(_l("The start date is after the end date."))
    return filters


# --- cursors ---------------------------------------------------------------------------


def _encode_cursor(phase: int, value: Any, comment_id: int) -> str:
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([phase, value, comment_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, Any, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        phase, value, comment_id = json.loads(raw)
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        if phase not in (0, 1) or not isinstance(comment_id, int):
            raise ValueError
        if value is not None and not isinstance(value, int | float | datetime):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise _bad(_l("This page link is damaged: start again from the first page.")) from None
    return phase, value, comment_id


# --- the query -------------------------------------------------------------------------


def _thread_scope(filters: QueueFilters, moderator: Moderator) -> list:
    """Conditions on ``Thread`` for the sites this moderator looks at (none: every site)."""
    allowed = allowed_site_ids(moderator)
    if filters.site:
        site = db.session.scalar(select(Site).where(Site.name == filters.site))
        if site is None:
            raise ModerationError(404, _l("This site does not exist."), code="not_found")
        require_site(moderator, site.id)
        return [Thread.site_id == site.id]
    if allowed is not None:
        return [Thread.site_id.in_(allowed)] if allowed else [false()]
    return []


def _site_scope(filters: QueueFilters, moderator: Moderator) -> list:
    clauses = []
    threads = _thread_scope(filters, moderator)
    if threads:
        clauses.append(Comment.thread_id.in_(select(Thread.id).where(*threads)))
    if filters.thread_id is not None:
        thread = db.session.get(Thread, filters.thread_id)
        if thread is None:
            raise ModerationError(404, _l("This page does not exist."), code="not_found")
        require_site(moderator, thread.site_id)
        clauses.append(Comment.thread_id == thread.id)
    return clauses


def _tab_clause(tab: str):
    if tab == "reported":
        open_reports = select(Report.comment_id).where(Report.resolved.is_(False))
        return and_(Comment.id.in_(open_reports), Comment.status != Status.DELETED)
    return Comment.status == tab


def _filter_clauses(filters: QueueFilters) -> list:
    clauses = []
    if filters.date_from:
        clauses.append(Comment.created_at >= datetime.combine(filters.date_from, time(), UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to, time(), UTC) + timedelta(days=1)
        clauses.append(Comment.created_at < end)
    if filters.score_min is not None:
        clauses.append(Comment.spam_score >= filters.score_min)
    if filters.score_max is not None:
        clauses.append(Comment.spam_score <= filters.score_max)
    if filters.text:
        clauses.append(Comment.body_source.ilike(f"%{_escape_like(filters.text)}%", escape="\\"))
    if filters.author:
        if "@" in filters.author:
            email = filters.author.lower()
            clauses.append(Comment.author_email.in_({email, filters.author}))
        else:
            pattern = f"%{_escape_like(filters.author)}%"
            clauses.append(Comment.author_name.ilike(pattern, escape="\\"))
    return clauses


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sort_column(sort: str):
    return {
        "newest": Comment.created_at,
        "oldest": Comment.created_at,
        "score": Comment.spam_score,
        "reports": Comment.reports_count,
    }[sort]


def queue_query(filters: QueueFilters, moderator: Moderator, *, phase: int = 0):
    """The SELECT of one page (without the cursor condition), for listing and for EXPLAIN."""
    column = _sort_column(filters.sort)
    ascending = filters.sort == "oldest"
    query = select(Comment).where(
        _tab_clause(filters.tab), *_site_scope(filters, moderator), *_filter_clauses(filters)
    )
    if filters.sort == "score":
        # Comments without a score (imported) come after every scored one.
        query = query.where(column.is_not(None) if phase == 0 else column.is_(None))
        if phase == 1:
            return query.order_by(Comment.id.desc())
    order = (column.asc(), Comment.id.asc()) if ascending else (column.desc(), Comment.id.desc())
    return query.order_by(*order)


def _after(filters: QueueFilters, value: Any, comment_id: int, phase: int):
    if filters.sort == "score" and phase == 1:
        return Comment.id < comment_id
    # A row-value comparison, so that both SQLite and PostgreSQL seek into the index instead of
    # scanning from its start: a deep page costs what the first one does.
    key = tuple_(_sort_column(filters.sort), Comment.id)
    bound = tuple_(literal(value, _sort_column(filters.sort).type), literal(comment_id))
    return key > bound if filters.sort == "oldest" else key < bound


@dataclass
class QueuePage:
    comments: list[Comment]
    next_cursor: str | None
    filters: QueueFilters


def list_queue(filters: QueueFilters, *, moderator: Moderator) -> QueuePage:
    """One page of the queue, newest (or best-sorted) first."""
    limit = max(1, min(filters.limit, MAX_PAGE_SIZE))
    phase, value, last_id = _decode_cursor(filters.cursor) if filters.cursor else (0, None, None)
    found: list[Comment] = []
    phases = (0, 1) if filters.sort == "score" else (0,)
    for current in phases:
        if current < phase:
            continue
        query = queue_query(filters, moderator, phase=current)
        if last_id is not None and current == phase:
            query = query.where(_after(filters, value, last_id, current))
        query = query.options(selectinload(Comment.thread).selectinload(Thread.site))
        found += db.session.scalars(query.limit(limit + 1 - len(found)))
        if len(found) > limit:
            break
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        last = found[-1]
        last_phase = 1 if filters.sort == "score" and last.spam_score is None else 0
        sort_value = getattr(last, _sort_column(filters.sort).key)
        next_cursor = _encode_cursor(last_phase, sort_value, last.id)
    return QueuePage(found, next_cursor, filters)


def tab_counts(moderator: Moderator, *, site: str | None = None) -> dict[str, int]:
    """How many comments each tab holds (for the moderator's sites, or one site)."""
    filters = QueueFilters(site=site)
    threads = _thread_scope(filters, moderator)
    scope = [Comment.thread_id.in_(select(Thread.id).where(*threads))] if threads else []
    counts = dict.fromkeys(TABS, 0)
    rows = db.session.execute(
        select(Comment.status, func.count(Comment.id))
        .where(Comment.status.in_(["pending", "spam", "rejected"]), *scope)
        .group_by(Comment.status)
    )
    for status, count in rows:
        counts[status] = count
    # Published comments are most of a site (900,000 of a million): counting them on every
    # page view cost most of the page. Threads keep that count, in the same transaction as
    # every status change (``comments.status``), so summing it per thread is the same figure.
    counts["published"] = db.session.scalar(
        select(func.coalesce(func.sum(Thread.published_count), 0)).where(*threads)
    )
    counts["reported"] = db.session.scalar(
        select(func.count(Comment.id)).where(_tab_clause("reported"), *scope)
    )
    return counts


@dataclass
class CardContext:
    """What the cards of a page need, fetched in a fixed number of queries."""

    reports: dict[int, list[Report]] = field(default_factory=dict)
    by_email: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)
    by_ip: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)
    holders: dict[int, Moderator] = field(default_factory=dict)
    now: datetime = field(default_factory=utcnow)


def _history(column, values: set[str], site_ids: set[int]) -> dict[tuple[int, str], dict]:
    history: dict[tuple[int, str], dict[str, int]] = {}
    if not values:
        return history
    # Grouped from the covering (author, status, thread) index alone; the threads' sites are
    # looked up after, so that no planner is tempted to walk every comment of the site, and
    # other sites' rows are dropped here (a ``thread_id IN (threads of the site)`` condition
    # built the list of every thread of the site for each query: 10,000 ids for 25 cards).
    rows = db.session.execute(
        select(Comment.thread_id, column, Comment.status, func.count(Comment.id))
        .where(column.in_(values))
        .group_by(column, Comment.status, Comment.thread_id)
    ).all()
    thread_ids = {thread_id for thread_id, *_rest in rows}
    site_of: dict[int, int] = {}
    if thread_ids:
        found = db.session.execute(
            select(Thread.id, Thread.site_id).where(Thread.id.in_(thread_ids))
        )
        site_of = {thread_id: site_id for thread_id, site_id in found}
    for thread_id, value, status, count in rows:
        if site_of[thread_id] not in site_ids:
            continue
        counts = history.setdefault((site_of[thread_id], value), {})
        counts[status] = counts.get(status, 0) + count
    return history


def card_context(comments: list[Comment]) -> CardContext:
    """Reports, author histories and claim holders for a page of comments."""
    context = CardContext()
    if not comments:
        return context
    ids = [c.id for c in comments]
    for report in db.session.scalars(
        select(Report).where(Report.comment_id.in_(ids)).order_by(Report.created_at)
    ):
        context.reports.setdefault(report.comment_id, []).append(report)
    site_ids = {c.thread.site_id for c in comments}
    emails = {c.author_email for c in comments if c.author_email}
    ips = {c.ip_hash for c in comments if c.ip_hash}
    context.by_email = _history(Comment.author_email, emails, site_ids)
    context.by_ip = _history(Comment.ip_hash, ips, site_ids)
    holder_ids = {c.claimed_by_id for c in comments if c.claimed_by_id}
    if holder_ids:
        for moderator in db.session.scalars(select(Moderator).where(Moderator.id.in_(holder_ids))):
            context.holders[moderator.id] = moderator
    return context
