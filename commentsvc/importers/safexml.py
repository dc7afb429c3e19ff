"""Streaming XML with no DTD, no entity expansion and no network: bombs and XXE are refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from lxml import etree

from commentsvc.importers.records import ImportFileError


class _Counting:
    """A file wrapper that reports how many bytes were read (for the progress bar)."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self.raw = raw
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.on_read(len(data))
        return data


def iter_elements(
    stream: BinaryIO,
    tags: set[str],
    *,
    on_read: Callable[[int], None] = lambda n: None,
    top_level: bool = False,
) -> Iterator[etree._Element]:
    """Yield each complete element named in ``tags`` (Clark names), then free it.

    ``top_level``: only children of the root (Disqus nests a ``<thread>`` inside each post).

    Any DOCTYPE is refused before the first element is built: export files never need one,
    and it is where entity bombs and external entities live.
    """
    parser = etree.iterparse(
        _Counting(stream, on_read),
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
    )
    checked = False
    try:
        for event, element in parser:
            if not checked:
                _refuse_doctype(element)
                checked = True
            if event == "end" and element.tag in tags:
                if top_level and not _is_top_level(element):
                    continue
                yield element
                _free(element)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else "?")
        raise ImportFileError(f"line {line}: malformed XML: {exc.msg}") from exc


def _is_top_level(element: etree._Element) -> bool:
    parent = element.getparent()
    return parent is not None and parent.getparent() is None


def _refuse_doctype(element: etree._Element) -> None:
    info = element.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise ImportFileError(
            "line 1: the file declares a DOCTYPE (entities, external references): refused"
        )


def _free(element: etree._Element) -> None:
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]


def text_of(element: etree._Element, tag: str, default: str = "") -> str:
    child = element.find(tag)
    if child is None or child.text is None:
        return default
    return child.text
