"""What the database says about an author: earlier comments, duplicates, trust."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, Select, bindparam, func, select

from commentsvc.extensions import db
from commentsvc.models import Comment, Site, Status, Thread

_LINK = re.compile(r"(?:https?://|www\.)[^\s)>\]\"']+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
DUPLICATE_CANDIDATES = 50


def count_links(body: str) -> int:
    """Links written in a comment body (bare, Markdown or HTML: each URL once)."""
    return len(_LINK.findall(body or ""))


def _comparable(text: str) -> str:
    """The text as duplicates are compared: spacing and case do not count."""
    return _SPACES.sub(" ", text).strip().casefold()


def _emails(email: str) -> set[str]:
    email = email.strip()
    return {email, email.lower()}


# Built once (every comment post runs them). One query per identity, each reading the
# author's newest comments through its (identity, created_at) index: 50 rows, where one query
# with an OR read and sorted every comment of the window.
def _recent_bodies_by(who: ColumnElement[bool]) -> Select:
    return (
        select(Comment.body_source)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Thread.site_id == bindparam("site_id"),
            who,
            Comment.created_at >= bindparam("since"),
            Comment.status != Status.DELETED,
            Comment.id != bindparam("exclude_id"),
        )
        .order_by(Comment.created_at.desc())
        .limit(DUPLICATE_CANDIDATES)
    )


_RECENT_BY_EMAIL = _recent_bodies_by(Comment.author_email.in_(bindparam("emails", expanding=True)))
_RECENT_BY_IP = _recent_bodies_by(Comment.ip_hash == bindparam("ip_hash"))


def _status_counts_by(who: ColumnElement[bool]) -> Select:
    return (
        select(Comment.status, func.count())
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.site_id == bindparam("site_id"), who)
        .group_by(Comment.status)
    )


_COUNTS_BY_EMAIL = _status_counts_by(Comment.author_email.in_(bindparam("emails", expanding=True)))
_COUNTS_BY_IP = _status_counts_by(Comment.ip_hash == bindparam("ip_hash"))


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
    if not (email.strip() or ip_hash) or not body.strip():
        return False
    params = {"site_id": site.id, "since": since, "exclude_id": exclude_id or 0}
    wanted = _comparable(body)
    lookups = []
    if email.strip():
        lookups.append((_RECENT_BY_EMAIL, {**params, "emails": sorted(_emails(email))}))
    if ip_hash:
        lookups.append((_RECENT_BY_IP, {**params, "ip_hash": ip_hash}))
    for query, values in lookups:
        if any(_comparable(earlier) == wanted for earlier in db.session.scalars(query, values)):
            return True
    return False


def status_counts(site_id: int, *, email: str | None = None, ip_hash: str | None = None) -> dict:
    """How an author's comments on a site were decided: {status: count}."""
    if email:
        query, params = _COUNTS_BY_EMAIL, {"site_id": site_id, "emails": sorted(_emails(email))}
    elif ip_hash:
        query, params = _COUNTS_BY_IP, {"site_id": site_id, "ip_hash": ip_hash}
    else:
        return {}
    return {status: count for status, count in db.session.execute(query, params)}


def is_trusted(site: Site, email: str, needed: int) -> bool:
    """``needed`` published comments with this e-mail on the site, none rejected or spam."""
    counts = status_counts(site.id, email=email)
    if counts.get(Status.REJECTED, 0) or counts.get(Status.SPAM, 0):
        return False
    return counts.get(Status.PUBLISHED, 0) >= needed
