"""Atom feeds of published comments: one per thread and one per site."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy import select

from commentsvc.comments.urls import canonical_url
from commentsvc.extensions import db
from commentsvc.models import Comment, Site, Status, Thread
from commentsvc.sites import get_site

bp = Blueprint("feeds", __name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml"


def latest_published(site: Site, thread: Thread | None, *, limit: int = FEED_SIZE):
    """The newest published comments of a thread, or of the whole site, with their thread."""
    query = (
        select(Comment, Thread)
        .join(Thread, Comment.thread_id == Thread.id)
        .where(Thread.site_id == site.id, Comment.status == Status.PUBLISHED)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )
    if thread is not None:
        query = query.where(Comment.thread_id == thread.id)
    return [(c, t) for c, t in db.session.execute(query)]


def _find_thread(site: Site, url: str) -> Thread | None:
    """The thread of a page however it is linked (tracking parameters, fragment…)."""
    url = canonical_url(url) or url
    return db.session.scalar(select(Thread).where(Thread.site_id == site.id, Thread.url == url))


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def render_feed(
    *, feed_id: str, title: str, self_url: str, alternate: str | None, rows, updated: datetime
) -> bytes:
    """Atom XML; bodies are the sanitised HTML, escaped as Atom's ``type="html"`` wants."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", _stamp(updated))
    ET.SubElement(feed, "link", {"rel": "self", "href": self_url})
    if alternate:
        ET.SubElement(feed, "link", {"rel": "alternate", "href": alternate})
    _text(feed, "generator", "commentsvc")
    for comment, thread in rows:
        entry = ET.SubElement(feed, "entry")
        _text(entry, "id", f"{feed_id.split('#')[0]}#comment-{comment.id}")
        _text(entry, "title", f"{comment.author_name or '?'} — {thread.title or thread.url}")
        _text(entry, "updated", _stamp(comment.edited_at or comment.created_at))
        _text(entry, "published", _stamp(comment.created_at))
        author = ET.SubElement(entry, "author")
        _text(author, "name", comment.author_name or "?")
        ET.SubElement(
            entry, "link", {"rel": "alternate", "href": f"{thread.url}#comment-{comment.id}"}
        )
        _text(entry, "content", comment.body_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


@bp.get("/sites/<site>/feed.atom")
def site_feed(site: str) -> Response:
    """The thread of ``?url=``, or the whole site without it; published comments only."""
    found = get_site(site)
    if found is None:
        abort(404)
    url = request.args.get("url")
    thread = _find_thread(found, url) if url else None
    if url and thread is None:
        abort(404)
    rows = latest_published(found, thread)
    updated = max(
        [c.edited_at or c.created_at for c, _t in rows]
        or [thread.created_at if thread else found.created_at]
    )
    self_url = url_for("feeds.site_feed", site=found.name, url=url, _external=True)
    body = render_feed(
        feed_id=f"tag:commentsvc,{found.created_at:%Y-%m-%d}:{found.name}"
        + (f":thread:{thread.id}" if thread else ""),
        title=(thread.title or thread.url) if thread else found.name,
        self_url=self_url,
        alternate=thread.url if thread else None,
        rows=rows,
        updated=updated,
    )
    return Response(body, mimetype=ATOM_TYPE)
