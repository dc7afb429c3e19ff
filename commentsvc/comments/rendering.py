"""HTML of threads. The thread fragment is the same for every reader of a page, language and
sort (no tokens, no viewer-specific bits), so that it can be cached per thread version."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, url_for
from flask_babel import format_datetime, format_timedelta, ngettext

from commentsvc.comments.reading import ThreadComment, ThreadPage
from commentsvc.models import utcnow


def count_text(total: int) -> str:
    """ "12 commentaires" / "12 comments", with the language's plural rules."""
    return ngettext("%(num)d comment", "%(num)d comments", total)


def relative_date(moment: datetime) -> str:
    return format_timedelta(moment - utcnow(), add_direction=True, threshold=1.0)


def exact_date(moment: datetime) -> str:
    return format_datetime(moment, "long")


def embed_link(page: ThreadPage, **params: object) -> str:
    """A link back into the iframe page for this thread (no-JS actions, pages, sorts)."""
    title = page.thread.title if page.thread is not None else None
    args = {"url": page.url, "title": title or None, **params}
    return url_for(
        "comments.embed_page",
        site_name=page.site.name,
        **{k: v for k, v in args.items() if v is not None},
    )


def render_thread_fragment(page: ThreadPage, *, lang: str) -> str:
    """The list of comments of one page of a thread, and its "more comments" link."""
    more = None
    if page.next_cursor:
        more = embed_link(page, sort=page.sort, cursor=page.next_cursor, lang=lang)
    return render_template("embed/_thread.html", page=page, more=more, lang=lang)


def render_comment(comment: ThreadComment, page: ThreadPage, *, lang: str) -> str:
    """One comment (and its replies), as inserted by the page's script after a post."""
    return render_template("embed/_one.html", comment=comment, page=page, lang=lang)


def register_filters(app) -> None:
    app.jinja_env.filters["relative_date"] = relative_date
    app.jinja_env.filters["exact_date"] = exact_date
    app.jinja_env.globals["count_text"] = count_text
    app.jinja_env.globals["embed_link"] = embed_link
