"""Reading threads: one page of top-level comments with all their replies, in three queries.

Pages are cut on top-level comments with a keyset cursor, so page 1 of a 5,000-comment
thread costs the same as a short thread; replies come in one query through ``root_id``.
Only ``published`` comments are shown, plus placeholders for deleted ones with replies.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, or_, select, union_all
from sqlalchemy.orm import aliased

from commentsvc.comments.errors import CommentError
from commentsvc.comments.urls import canonical_url, resolve_page_url
from commentsvc.extensions import db
from commentsvc.models import Comment, Site, Status, Thread, utcnow

SORTS = ("oldest", "newest", "top")
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SHOWN = (Status.PUBLISHED, Status.DELETED)


@dataclass
class ThreadComment:
    """A comment as any reader may see it: no e-mail, IP, score or status detail."""

    id: int
    parent_id: int | None
    author_name: str
    author_website: str | None
    avatar_hash: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    likes_count: int
    deleted: bool
    # Indentation level on screen (0 = top level), at most the site's max depth.
    level: int = 0
    # Set when the reply is shown beside, not under, the comment it answers (too deep).
    reply_to: str | None = None
    reply_to_id: int | None = None
    replies: list[ThreadComment] = field(default_factory=list)

    @classmethod
    def of(cls, comment: Comment) -> ThreadComment:
        deleted = comment.status == Status.DELETED
        return cls(
            id=comment.id,
            parent_id=comment.parent_id,
            author_name="" if deleted else comment.author_name,
            author_website=None if deleted else comment.author_website,
            avatar_hash=comment.avatar_hash,
            body_html="" if deleted else comment.body_html,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
            likes_count=comment.likes_count,
            deleted=deleted,
        )


@dataclass(frozen=True)
class ThreadState:
    """The columns of a thread that readers' pages and cache keys need, without the ORM object.

    Reading these as a plain row costs a fraction of loading a ``Thread`` into the session,
    which matters on the hot path: every cached read asks for them once.
    """

    id: int
    title: str
    closed: bool
    created_at: datetime
    published_count: int
    version: int
    url: str


_THREADS = Thread.__table__.c
# Plain Core, compiled once: the per-request cost is the query, not SQLAlchemy.
_THREAD_STATE = select(
    _THREADS.id,
    _THREADS.title,
    _THREADS.closed,
    _THREADS.created_at,
    _THREADS.published_count,
    _THREADS.version,
    _THREADS.url,
).where(_THREADS.site_id == bindparam("site_id"), _THREADS.url == bindparam("url"))


_COUNTS = select(_THREADS.url, _THREADS.published_count).where(
    _THREADS.site_id == bindparam("site_id"), _THREADS.url.in_(bindparam("urls", expanding=True))
)


def find_thread_state(site: Site, url: str) -> ThreadState | None:
    """What readers need of the thread of a canonical page URL (one indexed row, no ORM)."""
    connection = db.session.connection()
    row = connection.execute(_THREAD_STATE, {"site_id": site.id, "url": url}).first()
    return ThreadState(*row) if row is not None else None


@dataclass(frozen=True)
class ThreadPage:
    site: Site
    url: str
    thread: Thread | ThreadState | None
    comments: list[ThreadComment]
    # Published comments of the whole thread, replies included.
    total: int
    sort: str
    next_cursor: str | None
    closed: bool

    @property
    def version(self) -> int:
        return self.thread.version if self.thread is not None else 0


_THREAD_OF_PAGE = select(Thread).where(
    Thread.site_id == bindparam("site_id"), Thread.url == bindparam("url")
)


def find_thread(site: Site, url: str) -> Thread | None:
    """The thread of a canonical page URL, if anyone commented there yet."""
    return db.session.scalar(_THREAD_OF_PAGE, {"site_id": site.id, "url": url})


def thread_is_closed(
    site: Site, thread: Thread | ThreadState | None, *, now: datetime | None = None
) -> bool:
    """Closed by a moderator, or older than the site's ``close_after_days``."""
    if thread is None:
        return False
    if thread.closed:
        return True
    if site.close_after_days:
        return (now or utcnow()) > thread.created_at + timedelta(days=site.close_after_days)
    return False


def count_published(site: Site, urls: Iterable[str]) -> dict[str, int]:
    """Published comments per page URL (as given; 0 for unknown or invalid ones), one query."""
    urls = list(urls)
    canonical = {url: canonical_url(url) for url in urls}
    wanted = {c for c in canonical.values() if c}
    found: dict[str, int] = {}
    if wanted:
        rows = db.session.connection().execute(
            _COUNTS, {"site_id": site.id, "urls": sorted(wanted)}
        )
        found = {url: count for url, count in rows}
    return {url: found.get(canonical[url] or "", 0) for url in urls}


def encode_cursor(sort: str, comment: Comment) -> str:
    key: object = comment.likes_count if sort == "top" else comment.created_at.isoformat()
    raw = json.dumps([sort, key, comment.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(sort: str, cursor: str) -> tuple[object, int]:
    """(sort key, id) of the last comment of the previous page; 400 if it is not ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, last_id = json.loads(raw)
        if cursor_sort != sort or not isinstance(last_id, int):
            raise ValueError("cursor of another sort")
        if sort == "top":
            if not isinstance(key, int):
                raise ValueError("bad likes")
            return key, last_id
        return datetime.fromisoformat(key), last_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise CommentError(400, _("This page link is not valid."), code="cursor") from None


def _page_order(sort: str, cursor: str | None) -> tuple[list, list]:
    """(extra conditions, ORDER BY) of top-level comments for one sort and cursor."""
    if sort == "top":
        order = [Comment.likes_count.desc(), Comment.id.desc()]
        column = Comment.likes_count
        after = column.__lt__
    elif sort == "newest":
        order = [Comment.created_at.desc(), Comment.id.desc()]
        column = Comment.created_at
        after = column.__lt__
    else:
        order = [Comment.created_at.asc(), Comment.id.asc()]
        column = Comment.created_at
        after = column.__gt__
    if cursor is None:
        return [], order
    key, last_id = decode_cursor(sort, cursor)
    id_after = Comment.id > last_id if sort == "oldest" else Comment.id < last_id
    return [or_(after(key), and_(column == key, id_after))], order


# Built once: a fresh alias per request would defeat SQLAlchemy's statement cache.
_REPLY = aliased(Comment, name="reply")


def _fetch_roots(thread: Thread, sort: str, cursor: str | None, limit: int) -> list[Comment]:
    """One page of top-level comments: published ones, and deleted ones that keep replies.

    Each kind is its own index range scan with a LIMIT (a single ``status IN (…)`` would make
    the database sort every top-level comment of the thread); the union is at most twice a page.
    """
    reply = _REPLY
    has_published_reply = exists(
        select(reply.id).where(reply.root_id == Comment.id, reply.status == Status.PUBLISHED)
    )
    conditions, order = _page_order(sort, cursor)

    def top_level(*where: Any) -> Any:
        # Top-level by depth, not by "parent_id IS NULL": SQLite's statistics ignore NULLs, so
        # it takes the parent index for a handful of rows and reads every top-level comment of
        # every thread (seconds at a million comments). Depth 0 is exactly "no parent".
        query = select(Comment.id).where(
            Comment.thread_id == thread.id, Comment.depth == 0, *where, *conditions
        )
        return query.order_by(*order).limit(limit + 1).subquery().select()

    page_ids = union_all(
        top_level(Comment.status == Status.PUBLISHED),
        top_level(Comment.status == Status.DELETED, has_published_reply),
    ).subquery()
    query = (
        select(Comment)
        .where(Comment.id.in_(select(page_ids.c.id)))
        .order_by(*order)
        .limit(limit + 1)
    )
    return list(db.session.scalars(query))


def _fetch_replies(root_ids: list[int]) -> list[Comment]:
    if not root_ids:
        return []
    # Only root_id in the WHERE clause: with a status condition the database may pick a
    # status index and read every comment of every thread. Other statuses are dropped here.
    query = (
        select(Comment)
        .where(Comment.root_id.in_(root_ids), Comment.parent_id.is_not(None))
        .order_by(Comment.created_at, Comment.id)
    )
    return [c for c in db.session.scalars(query) if c.status in SHOWN]


def _visible(replies: list[Comment]) -> list[Comment]:
    """Drop deleted replies that have no published reply under them."""
    alive: set[int] = set()
    for comment in reversed(replies):  # children come after their parents
        if comment.status == Status.PUBLISHED or comment.id in alive:
            alive.add(comment.id)
            if comment.parent_id is not None:
                alive.add(comment.parent_id)
    return [c for c in replies if c.id in alive]


def build_tree(roots: list[Comment], replies: list[Comment], max_depth: int) -> list[ThreadComment]:
    """Nest replies under their parents, at most ``max_depth`` levels deep.

    A reply to a comment already at the deepest level is shown beside it (same level, after
    it in time) with "in reply to X"; a reply whose parent is hidden hangs under the root.
    """
    deepest = max(1, max_depth)
    nodes = {c.id: ThreadComment.of(c) for c in roots}
    holder: dict[int, ThreadComment] = {}
    top = [nodes[c.id] for c in roots]
    for comment in _visible(replies):
        node = ThreadComment.of(comment)
        parent = nodes.get(comment.parent_id or -1) or nodes.get(comment.root_id or -1)
        if parent is None:
            continue
        if parent.level < deepest:
            node.level = parent.level + 1
            parent.replies.append(node)
            holder[node.id] = parent
        else:
            node.level = parent.level
            node.reply_to = parent.author_name or None
            node.reply_to_id = parent.id
            holder[node.id] = holder[parent.id]
            holder[node.id].replies.append(node)
        nodes[node.id] = node
    return top


def get_thread_page(
    site: Site, url: str, *, sort: str = "oldest", cursor: str | None = None, limit: int = PAGE_SIZE
) -> ThreadPage:
    """One page of a page URL's thread (empty when nobody commented yet)."""
    if sort not in SORTS:
        raise CommentError(400, _("Unknown sort order."), code="sort")
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    url = resolve_page_url(site, url)
    thread = find_thread(site, url)
    if thread is None:
        return ThreadPage(site, url, None, [], 0, sort, None, False)
    roots = _fetch_roots(thread, sort, cursor, limit)
    next_cursor = encode_cursor(sort, roots[limit - 1]) if len(roots) > limit else None
    roots = roots[:limit]
    replies = _fetch_replies([c.id for c in roots])
    comments = build_tree(roots, replies, site.max_depth)
    closed = thread_is_closed(site, thread)
    return ThreadPage(
        site, url, thread, comments, thread.published_count, sort, next_cursor, closed
    )
