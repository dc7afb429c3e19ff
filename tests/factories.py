"""Small factories for test data; each commits so that views see the rows."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from commentsvc.admin.accounts import create_moderator
from commentsvc.comments.status import record_new_comment
from commentsvc.extensions import db
from commentsvc.identity import avatar_seed
from commentsvc.markup import render_markdown
from commentsvc.models import Comment, Moderator, Site, Status, Thread, utcnow
from commentsvc.sites import create_site

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def make_site(name: str | None = None, **settings: Any) -> Site:
    origins = settings.pop("origins", ["https://news.example.fr"])
    mode = settings.pop("mode", "post")
    lang = settings.pop("lang", "fr")
    site = create_site(name or f"site{next(_counter)}", origins=origins, mode=mode, lang=lang)
    for key, value in settings.items():
        setattr(site, key, value)
    db.session.commit()
    return site


def make_thread(site: Site, url: str | None = None, **fields: Any) -> Thread:
    origin = site.origins[0]
    thread = Thread(
        site_id=site.id,
        url=url or f"{origin}/articles/{next(_counter)}",
        title=fields.pop("title", "Un article"),
        **fields,
    )
    db.session.add(thread)
    db.session.commit()
    return thread


def make_comment(
    thread: Thread,
    body: str = "Très bon article, merci !",
    *,
    parent: Comment | None = None,
    status: Status = Status.PUBLISHED,
    age: timedelta = timedelta(0),
    **fields: Any,
) -> Comment:
    name = fields.pop("author_name", "Camille")
    email = fields.pop("author_email", "camille@example.fr")
    comment = Comment(
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        depth=(parent.depth + 1) if parent else 0,
        author_name=name,
        author_email=email,
        avatar_hash=avatar_seed(email, name),
        body_source=body,
        body_html=render_markdown(body),
        status=status,
        created_at=utcnow() - age,
        **fields,
    )
    db.session.add(comment)
    db.session.flush()
    comment.root_id = parent.root_id if parent else comment.id
    record_new_comment(comment)
    db.session.commit()
    return comment


def make_moderator(
    email: str | None = None, *, is_admin: bool = False, sites: list[Site] | None = None
) -> Moderator:
    return create_moderator(
        email or f"mod{next(_counter)}@example.org", PASSWORD, is_admin=is_admin, sites=sites
    )
