"""WordPress WXR export: posts become threads (permalink, title), their comments nested."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from commentsvc.importers.htmltext import html_to_markdown
from commentsvc.importers.records import CommentRecord, ImportFileError, Skipped, ThreadRecord
from commentsvc.importers.safexml import iter_elements
from commentsvc.models import Status

STATUSES = {
    "1": Status.PUBLISHED,
    "approve": Status.PUBLISHED,
    "0": Status.PENDING,
    "hold": Status.PENDING,
    "spam": Status.SPAM,
    "trash": Status.REJECTED,
    "post-trashed": Status.REJECTED,
}
SKIPPED_TYPES = {"pingback", "trackback"}
NO_DATE = "0000-00-00 00:00:00"


def _fields(element: etree._Element) -> dict[str, etree._Element]:
    """Children by local name: WXR 1.0, 1.1 and 1.2 differ only in the namespace."""
    return {etree.QName(child).localname: child for child in element}


def _text(fields: dict[str, etree._Element], name: str) -> str:
    child = fields.get(name)
    return (child.text or "").strip() if child is not None else ""


def _date(fields: dict[str, etree._Element], gmt: str, local: str, where: etree._Element):
    """The GMT date; exports of unpublished items carry zeros there, then the local one."""
    for name in (gmt, local):
        value = _text(fields, name)
        if value and value != NO_DATE:
            try:
                return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError as exc:
                line = fields[name].sourceline
                raise ImportFileError(f"line {line}: <wp:{name}> {value!r} is not a date") from exc
    raise ImportFileError(f"line {where.sourceline}: <{etree.QName(where).localname}> has no date")


def _comment(element: etree._Element, post_id: str) -> CommentRecord | Skipped:
    f = _fields(element)
    if _text(f, "comment_type") in SKIPPED_TYPES:
        return Skipped(_text(f, "comment_type"))
    source_id = _text(f, "comment_id")
    if not source_id:
        raise ImportFileError(f"line {element.sourceline}: <wp:comment> has no <wp:comment_id>")
    approved = _text(f, "comment_approved")
    if approved not in STATUSES:
        line = f["comment_approved"].sourceline if "comment_approved" in f else element.sourceline
        raise ImportFileError(f"line {line}: <wp:comment_approved> {approved!r} is not a status")
    parent = _text(f, "comment_parent")
    return CommentRecord(
        source_id=source_id,
        thread_source_id=post_id,
        parent_source_id=parent if parent not in {"", "0"} else None,
        body=html_to_markdown(_text(f, "comment_content")),
        status=STATUSES[approved],
        created_at=_date(f, "comment_date_gmt", "comment_date", element),
        author_name=_text(f, "comment_author"),
        author_email=_text(f, "comment_author_email").lower() or None,
        author_website=_text(f, "comment_author_url") or None,
        ip=_text(f, "comment_author_IP") or None,
    )


def _item(item: etree._Element) -> Iterator[ThreadRecord | CommentRecord | Skipped]:
    f = _fields(item)
    comments = [child for child in item if etree.QName(child).localname == "comment"]
    if not comments:
        return
    post_id = _text(f, "post_id")
    url = _text(f, "link")
    if not post_id or not url:
        missing = "<wp:post_id>" if not post_id else "<link>"
        raise ImportFileError(f"line {item.sourceline}: <item> with comments has no {missing}")
    yield ThreadRecord(
        source_id=post_id,
        url=url,
        title=_text(f, "title"),
        closed=_text(f, "comment_status") == "closed",
        created_at=_date(f, "post_date_gmt", "post_date", item)
        if _text(f, "post_date_gmt") or _text(f, "post_date")
        else None,
    )
    for comment in comments:
        yield _comment(comment, post_id)


def parse(
    stream: BinaryIO, *, on_read: Callable[[int], None] = lambda n: None
) -> Iterator[ThreadRecord | CommentRecord | Skipped]:
    """Records of a WXR file, item by item, in bounded memory."""
    seen_channel = False
    for element in iter_elements(stream, {"item", "channel"}, on_read=on_read):
        if element.tag == "channel":
            seen_channel = True
            continue
        yield from _item(element)
    if not seen_channel:
        raise ImportFileError("line 1: not a WordPress export (no <rss><channel>)")
