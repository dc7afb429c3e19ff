"""Disqus XML export: ``<thread>`` elements, then ``<post>`` elements pointing at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from commentsvc.importers.htmltext import html_to_markdown
from commentsvc.importers.records import CommentRecord, ImportFileError, ThreadRecord
from commentsvc.importers.safexml import iter_elements
from commentsvc.models import Status

NS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
THREAD = f"{{{NS}}}thread"
POST = f"{{{NS}}}post"
DSQ_ID = f"{{{DSQ}}}id"


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, {"d": NS})
    return (found.text or "").strip() if found is not None else ""


def _flag(element: etree._Element, name: str) -> bool:
    return _text(element, f"d:{name}").lower() == "true"


def _dsq_id(element: etree._Element, what: str) -> str:
    value = element.get(DSQ_ID)
    if not value:
        raise ImportFileError(f"line {element.sourceline}: <{what}> has no dsq:id")
    return value


def _date(element: etree._Element) -> datetime:
    value = _text(element, "d:createdAt")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        line = element.sourceline
        raise ImportFileError(f"line {line}: <createdAt> {value!r} is not a date") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _status(post: etree._Element) -> Status:
    if _flag(post, "isDeleted"):
        return Status.DELETED
    if _flag(post, "isSpam"):
        return Status.SPAM
    if _text(post, "d:isApproved").lower() == "false":
        return Status.PENDING
    return Status.PUBLISHED


def _thread(element: etree._Element) -> ThreadRecord:
    url = _text(element, "d:link")
    if not url:
        raise ImportFileError(f"line {element.sourceline}: <thread> has no <link>")
    return ThreadRecord(
        source_id=_dsq_id(element, "thread"),
        url=url,
        title=_text(element, "d:title"),
        closed=_flag(element, "isClosed"),
        created_at=_date(element) if _text(element, "d:createdAt") else None,
    )


def _post(element: etree._Element) -> CommentRecord:
    thread = element.find("d:thread", {"d": NS})
    if thread is None:
        raise ImportFileError(f"line {element.sourceline}: <post> has no <thread>")
    parent = element.find("d:parent", {"d": NS})
    status = _status(element)
    return CommentRecord(
        source_id=_dsq_id(element, "post"),
        thread_source_id=_dsq_id(thread, "thread"),
        parent_source_id=parent.get(DSQ_ID) if parent is not None else None,
        body="" if status == Status.DELETED else html_to_markdown(_text(element, "d:message")),
        status=status,
        created_at=_date(element),
        author_name=_text(element, "d:author/d:name") or _text(element, "d:author/d:username"),
        author_email=_text(element, "d:author/d:email").lower() or None,
        ip=_text(element, "d:ipAddress") or None,
    )


def parse(
    stream: BinaryIO, *, on_read: Callable[[int], None] = lambda n: None
) -> Iterator[ThreadRecord | CommentRecord]:
    """Records of a Disqus export, element by element, in bounded memory."""
    for element in iter_elements(stream, {THREAD, POST}, on_read=on_read, top_level=True):
        if element.getparent().tag != f"{{{NS}}}disqus":
            raise ImportFileError(f"line {element.sourceline}: not a Disqus export")
        yield _thread(element) if element.tag == THREAD else _post(element)
