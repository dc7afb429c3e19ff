"""What the database says about an author: earlier comments, duplicates, trust."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Select, bindparam, func, select

from commentsvc.duplicates import fingerprint
from commentsvc.extensions import db
from commentsvc.models import Comment, Site, Status, Thread

_LINK = re.compile(r"(?:https?://|www\.)[^\s)>\]\"']+", re.IGNORECASE)


def count_links(body: str) -> int:
    """Links written in a comment body (bare, Markdown or HTML: each URL once)."""
    return len(_LINK.findall(body or ""))


def _email_forms(email: str) -> tuple[str, str]:
    """The e-mail as typed (trimmed) and in lower case: either is the same author's."""
    email = email.strip()
    return email, email.lower()


# Built once (every comment post runs it). Only the fingerprint and the date select rows:
# with the author's e-mail or address in the query too, SQLite walked every recent comment of
# that address (a NAT, or the benchmark's one client) instead of probing the fingerprint.
# Authors are compared here, among the newest comments with the same text; a text posted by
# more than this many others within the window is a flood, which the limits and the model
# answer, not this rule.
SAME_TEXT_CANDIDATES = 200
_SAME_TEXT = (
    select(Comment.author_email, Comment.ip_hash)
    .where(
        Comment.body_fingerprint == bindparam("fingerprint"),
        Comment.created_at >= bindparam("since"),
        # A subquery, not a join: SQLite could otherwise start from the site's threads.
        select(Thread.id)
        .where(Thread.id == Comment.thread_id, Thread.site_id == bindparam("site_id"))
        .exists(),
        Comment.status != Status.DELETED,
        Comment.id != bindparam("exclude_id"),
    )
    .order_by(Comment.created_at.desc())
    .limit(SAME_TEXT_CANDIDATES)
)


def _authors_comments(*statuses: Status) -> Select:
    return (
        select(Comment.id)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            # Plain parameters, not expanding lists (a literal list is one): SQLAlchemy
            # would render each IN anew on every post.
            Comment.author_email.in_([bindparam("email"), bindparam("email_lower")]),
            Comment.status.in_([bindparam(None, status) for status in statuses]),
            Thread.site_id == bindparam("site_id"),
        )
    )


# Two bounded probes of the author's e-mail index, however many comments they wrote: a
# count stopped at the number the site asks for, and whether any was ever refused. Counting
# their whole history grew with every post (1 ms for an author of 20,000 comments).
_TRUST = select(
    select(func.count())
    .select_from(_authors_comments(Status.PUBLISHED).limit(bindparam("needed")).subquery())
    .scalar_subquery(),
    _authors_comments(Status.REJECTED, Status.SPAM).exists(),
)


def recent_duplicate(
    site: Site,
    body: str,
    *,
    email: str,
    ip_hash: str | None,
    since: datetime,
    exclude_id: int | None = None,
) -> bool:
    """Whether this author (same e-mail, or same hashed IP) posted the same text since then."""
    wanted = fingerprint(body)
    if not (email.strip() or ip_hash) or wanted is None:
        return False
    emails = set(_email_forms(email)) if email.strip() else set()
    params = {
        "fingerprint": wanted,
        "since": since,
        "site_id": site.id,
        "exclude_id": exclude_id or 0,
    }
    return any(
        earlier_email in emails or (ip_hash is not None and earlier_ip == ip_hash)
        for earlier_email, earlier_ip in db.session.connection().execute(_SAME_TEXT, params)
    )


def is_trusted(site: Site, email: str, needed: int) -> bool:
    """``needed`` published comments with this e-mail on the site, none rejected or spam."""
    typed, lower = _email_forms(email)
    params = {"site_id": site.id, "email": typed, "email_lower": lower, "needed": needed}
    published, refused = db.session.connection().execute(_TRUST, params).one()
    return not refused and published >= needed
