"""A person's data: export it, erase it, and purge what the law let us keep once it expires.

Erasure anonymises every comment written with the address; bodies are kept or removed per
the site's ``erase_policy``. What identifies the author (name, e-mail, IP hash, browser) moves
to ``retained_identities`` for ``COMMENTSVC_RETENTION_DAYS`` (hosts in France must be able to
identify the authors of published content for a legal period), and ``purge`` removes it after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from commentsvc.comments.status import bump_thread, set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.identity import avatar_seed
from commentsvc.models import (
    AuditEntry,
    Ban,
    Comment,
    Moderator,
    RetainedIdentity,
    Site,
    Status,
    Thread,
    utcnow,
)

REMOVE = "remove"


def normalise(email: str) -> str:
    return email.strip().lower()


def _comments_of(email: str):
    return (
        select(Comment, Thread, Site)
        .join(Thread, Comment.thread_id == Thread.id)
        .join(Site, Thread.site_id == Site.id)
        .where(Comment.author_email == normalise(email))
        .order_by(Comment.id)
    )


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_person(email: str) -> dict[str, Any]:
    """Everything stored about the person behind ``email``, as one JSON-ready document."""
    email = normalise(email)
    comments = [
        {
            "site": site.name,
            "page": thread.url,
            "page_title": thread.title,
            "id": c.id,
            "parent_id": c.parent_id,
            "author_name": c.author_name,
            "author_email": c.author_email,
            "author_website": c.author_website,
            "body": c.body_source,
            "status": c.status,
            "created_at": _stamp(c.created_at),
            "edited_at": _stamp(c.edited_at),
            "ip_hash": c.ip_hash,
            "user_agent": c.user_agent,
            "notify_replies": c.notify_replies,
            "likes": c.likes_count,
        }
        for c, thread, site in db.session.execute(_comments_of(email))
    ]
    bans = [
        {"site_id": b.site_id, "reason": b.reason, "created_at": _stamp(b.created_at)}
        for b in db.session.scalars(select(Ban).where(Ban.kind == "email", Ban.value == email))
    ]
    retained = [
        {
            "comment_id": r.comment_id,
            "author_name": r.author_name,
            "ip_hash": r.ip_hash,
            "erased_at": _stamp(r.erased_at),
            "kept_until": _stamp(r.keep_until),
        }
        for r in db.session.scalars(
            select(RetainedIdentity).where(RetainedIdentity.author_email == email)
        )
    ]
    return {
        "email": email,
        "exported_at": utcnow().isoformat(),
        "comments": comments,
        "bans": bans,
        "retained_after_erasure": retained,
    }


@dataclass
class Erasure:
    comments: int = 0
    bodies_removed: int = 0
    sites: dict[str, int] = field(default_factory=dict)


def erase_person(
    email: str, *, actor: str, moderator: Moderator | None = None, now: datetime | None = None
) -> Erasure:
    """Anonymise every comment written with ``email``; one audit entry per site touched."""
    now = now or utcnow()
    keep_until = now + timedelta(days=current_app.config["RETENTION_DAYS"])
    result = Erasure()
    with write_transaction() as session:
        rows = session.execute(_comments_of(email)).all()
        for comment, _thread, site in rows:
            session.add(_retained(comment, site, now, keep_until))
            removed = _anonymise(comment, site)
            result.comments += 1
            result.bodies_removed += int(removed)
            result.sites[site.name] = result.sites.get(site.name, 0) + 1
        sites = {site.name: site for _c, _t, site in rows}
        for name, count in result.sites.items():
            session.add(_audit(sites[name], count, actor=actor, moderator=moderator))
    return result


def _retained(comment: Comment, site: Site, now: datetime, keep_until: datetime):
    return RetainedIdentity(
        site_id=site.id,
        comment_id=comment.id,
        author_name=comment.author_name,
        author_email=comment.author_email,
        ip_hash=comment.ip_hash,
        user_agent=comment.user_agent,
        comment_created_at=comment.created_at,
        erased_at=now,
        keep_until=keep_until,
    )


def _anonymise(comment: Comment, site: Site) -> bool:
    """Strip the author from one comment; remove its body too under a "remove" policy."""
    comment.author_name = ""
    comment.author_email = None
    comment.author_website = None
    comment.avatar_hash = avatar_seed(None, f"erased:{comment.id}")
    comment.ip_hash = None
    comment.user_agent = None
    comment.notify_replies = False
    comment.edit_key_hash = None
    if site.erase_policy == REMOVE and comment.body_source:
        comment.body_source = ""
        comment.body_html = ""
        if comment.status != Status.DELETED:
            set_status(comment, Status.DELETED)
            return True
    comment.revision = (comment.revision or 0) + 1
    bump_thread(comment.thread_id)
    return site.erase_policy == REMOVE


def _audit(site: Site, count: int, *, actor: str, moderator: Moderator | None) -> AuditEntry:
    # The address itself is not logged: the log would otherwise keep what was just erased.
    return AuditEntry(
        action="erase",
        moderator_id=moderator.id if moderator else None,
        actor=actor,
        site_id=site.id,
        reason="personal data erased on request",
        details={"comments": count, "policy": site.erase_policy},
    )


@dataclass
class Purge:
    retained_removed: int
    old_comments_cleared: int


def purge(*, now: datetime | None = None) -> Purge:
    """Remove retained identities past their date, and IP hashes older than the retention."""
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["RETENTION_DAYS"])
    with write_transaction() as session:
        removed = session.execute(
            delete(RetainedIdentity).where(RetainedIdentity.keep_until <= now)
        ).rowcount
        cleared = session.execute(
            update(Comment)
            .where(Comment.created_at < cutoff, Comment.ip_hash.is_not(None))
            .values(ip_hash=None, user_agent=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    return Purge(retained_removed=removed or 0, old_comments_cleared=cleared or 0)
