"""What the database says about an author: earlier comments, duplicates, trust."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, or_, select

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
    who = []
    if email.strip():
        who.append(Comment.author_email.in_(_emails(email)))
    if ip_hash:
        who.append(Comment.ip_hash == ip_hash)
    if not who or not body.strip():
        return False
    bodies = db.session.scalars(
        select(Comment.body_source)
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Thread.site_id == site.id,
            or_(*who),
            Comment.created_at >= since,
            Comment.status != Status.DELETED,
            Comment.id != (exclude_id or 0),
        )
        .order_by(Comment.created_at.desc())
        .limit(DUPLICATE_CANDIDATES)
    )
    wanted = _comparable(body)
    return any(_comparable(earlier) == wanted for earlier in bodies)


def status_counts(site_id: int, *, email: str | None = None, ip_hash: str | None = None) -> dict:
    """How an author's comments on a site were decided: {status: count}."""
    if email:
        who = Comment.author_email.in_(_emails(email))
    elif ip_hash:
        who = Comment.ip_hash == ip_hash
    else:
        return {}
    rows = db.session.execute(
        select(Comment.status, func.count())
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.site_id == site_id, who)
        .group_by(Comment.status)
    )
    return {status: count for status, count in rows}


def is_trusted(site: Site, email: str, needed: int) -> bool:
    """``needed`` published comments with this e-mail on the site, none rejected or spam."""
    counts = status_counts(site.id, email=email)
    if counts.get(Status.REJECTED, 0) or counts.get(Status.SPAM, 0):
        return False
    return counts.get(Status.PUBLISHED, 0) >= needed
