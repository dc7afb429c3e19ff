"""Finding the site, thread and comment an API request names; 404 in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from commentsvc.api.problems import ApiError
from commentsvc.extensions import db
from commentsvc.models import Comment, Site, Thread
from commentsvc.sites import get_site


def require_site(name: str, *, recent: bool = False) -> Site:
    """The named site or a 404; ``recent``: the process's copy, at most a few seconds old
    (``caching.recent_site``: reads and posts; not for views that change the site)."""
    if recent:
        from commentsvc.caching import recent_site

        site = recent_site(name)
    else:
        site = get_site(name)
    if site is None:
        raise ApiError(404, _("There is no site named %(name)s.", name=name))
    return site


def site_of_comment(comment_id: int) -> Site | None:
    from commentsvc.api.schemas import MAX_ID

    # Also called for CORS before the view's own id check: an id out of range names nothing
    # (and would overflow the database driver).
    if not 1 <= comment_id <= MAX_ID:
        return None
    return db.session.scalar(
        select(Site)
        .join(Thread, Thread.site_id == Site.id)
        .join(Comment, Comment.thread_id == Thread.id)
        .where(Comment.id == comment_id)
    )


def site_for_view_args(view_args: dict[str, Any]) -> Site | None:
    if "site" in view_args:
        return get_site(str(view_args["site"]))
    if "comment_id" in view_args:
        return site_of_comment(int(view_args["comment_id"]))
    return None
