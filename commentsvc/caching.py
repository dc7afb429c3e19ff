"""Rendered threads cached per thread version, and ETags that let browsers skip the download.

Every change a reader could see bumps ``Thread.version`` (``comments/status.py``), and every
site setting is part of the key too, so a key names exactly one rendering: nothing is ever
deleted from the cache, stale entries are simply never asked for again and expire. That is what
makes it correct across processes and machines sharing Redis, with no invalidation messages.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, current_app, has_app_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from commentsvc.comments.reading import (
    PAGE_SIZE,
    ThreadPage,
    ThreadState,
    find_thread_state,
    get_thread_page,
    thread_is_closed,
)
from commentsvc.comments.urls import resolve_page_url
from commentsvc.extensions import cache
from commentsvc.metrics import record_cache_lookup
from commentsvc.models import Site
from commentsvc.sites import get_site

log = logging.getLogger(__name__)
T = TypeVar("T")


def _templates_digest() -> str:
    """Digest of every template: a release that renders differently never reuses old pages.

    Content, not modification times, so that every machine of one release agrees.
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.glob("**/templates/**/*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Part of every key and ETag; the suffix names the layout of cached values (bytes, slots).
RENDERING_REVISION = _templates_digest() + ":2"


# A site's settings change rarely and are read by every request: reads and posts keep a copy this
# long per process. A change made in this process is seen at once (see ``_forget_sites``);
# other processes see it within this delay.
SITE_SECONDS = 5.0
_SITES = "commentsvc_sites"
# Fingerprints of those read-only copies, computed once per copy rather than per request.
_FINGERPRINTS: weakref.WeakKeyDictionary[Site, str] = weakref.WeakKeyDictionary()


def recent_site(name: str) -> Site | None:
    """The named site, from a per-process copy at most ``SITE_SECONDS`` old.

    For reads and comment posts, which only read the site's columns: the copy may be detached
    from the session (no relationship loads), and is never to be changed. A change made in
    this process applies at once (``_forget_sites``); other processes see it within
    ``SITE_SECONDS``, as they see webhook changes. Loading the row as an ORM object cost a
    post more than its rules' queries together."""
    sites = current_app.extensions.setdefault(_SITES, {})
    now = time.monotonic()
    kept = sites.get(name)
    if kept is not None and now - kept[0] < SITE_SECONDS:
        return kept[1]
    site = get_site(name)
    if site is not None:
        sites[name] = (now, site)
        _FINGERPRINTS[site] = site_fingerprint(site)
    return site


def sites_changed(session: Session) -> bool:
    """Whether the flush just made wrote a site's settings (in this process's app)."""
    return has_app_context() and any(
        isinstance(obj, Site) for obj in (*session.new, *session.dirty, *session.deleted)
    )


@event.listens_for(Session, "after_flush")
def _forget_sites(session: Session, _context: Any) -> None:
    if sites_changed(session):
        current_app.extensions.pop(_SITES, None)


def site_fingerprint(site: Site) -> str:
    """A digest of every setting of the site: changing any of them changes every key."""
    known = _FINGERPRINTS.get(site)
    if known is not None:
        return known
    state = inspect(site)
    values = [repr(state.attrs[attr.key].loaded_value) for attr in state.mapper.column_attrs]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ThreadView:
    """Everything one rendering of a thread depends on; ``extra`` for view-specific inputs."""

    kind: str
    site: Site
    thread: ThreadState | None
    lang: str
    sort: str = "oldest"
    cursor: str | None = None
    extra: tuple[Hashable, ...] = ()
    # The canonical page URL, when the view was made from one (see ``thread_view``).
    url: str = ""
    limit: int = PAGE_SIZE

    @functools.cached_property
    def digest(self) -> str:
        thread_part = (self.thread.id, self.thread.version) if self.thread else (None, 0)
        parts = (
            RENDERING_REVISION,
            self.kind,
            self.site.id,
            site_fingerprint(self.site),
            self.url,
            *thread_part,
            self.lang,
            self.sort,
            self.cursor,
            self.limit,
            *self.extra,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def header(self) -> ThreadPage:
        """The page without its comments: count, closed state, sort (no comment query)."""
        thread = self.thread
        total = thread.published_count if thread is not None else 0
        closed = thread_is_closed(self.site, thread)
        return ThreadPage(self.site, self.url, thread, [], total, self.sort, None, closed)

    @property
    def cache_key(self) -> str:
        return f"thread:{self.kind}:{self.digest}"

    @property
    def etag(self) -> str:
        return self.digest


def thread_view(
    kind: str,
    site: Site,
    url: str,
    *,
    lang: str,
    sort: str = "oldest",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    extra: tuple[Hashable, ...] = (),
) -> ThreadView:
    """Identify one rendering of a page's thread: one indexed row, no comments read."""
    url = resolve_page_url(site, url)
    thread = find_thread_state(site, url)
    # Links inside renderings are relative to where the app is mounted behind the proxy.
    extra = (request.script_root, *extra)
    return ThreadView(kind, site, thread, lang, sort, cursor, extra, url, limit)


def render_thread(view: ThreadView, render: Callable[[ThreadPage], T]) -> tuple[ThreadPage, T]:
    """The cached rendering of ``view``'s page, reading the comments only on a miss.

    Returns the page read on a miss, or the view's header on a hit (then without comments).
    """
    loaded: list[ThreadPage] = []

    def _render() -> T:
        page = get_thread_page(
            view.site, view.url, sort=view.sort, cursor=view.cursor, limit=view.limit
        )
        loaded.append(page)
        return render(page)

    value = cached(view, _render)
    return (loaded[0] if loaded else view.header()), value


def cached(view: ThreadView, render: Callable[[], T]) -> T:
    """The cached rendering of ``view``, rendered (and stored) on a miss.

    A cache that does not answer (Redis down) costs a rendering, never the request.
    """
    value = _cache_call("get", view.cache_key)
    if value is not None:
        record_cache_lookup(view.kind, hit=True)
        return value
    record_cache_lookup(view.kind, hit=False)
    value = render()
    _cache_call("set", view.cache_key, value)
    return value


def _cache_call(method: str, *args: Any) -> Any:
    try:
        return getattr(cache, method)(*args)
    except Exception as exc:  # any backend failure (connection, timeout) means "no cache"
        log.warning("cache %s failed: %s", method, exc)
        return None


def is_fresh(etag: str) -> bool:
    """Whether the client already holds the representation named ``etag``."""
    return request.if_none_match.contains_weak(etag)


def not_modified(etag: str) -> Response:
    """A ``304 Not Modified`` carrying the validator, for a client whose copy is current."""
    response = Response(status=304)
    return with_validator(response, etag)


def with_validator(response: Response, etag: str) -> Response:
    """Set a weak ETag (proxies may compress) and ask clients to revalidate every time."""
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept-Language")
    return response


def conditional(etag: str, build: Callable[[], Response]) -> Response:
    """304 when the client's copy is current, else ``build()`` with its ETag."""
    if request.method in {"GET", "HEAD"} and is_fresh(etag):
        return not_modified(etag)
    return with_validator(build(), etag)


def content_etag(*parts: Any) -> str:
    """An ETag for a small response computed anyway (e.g. counts): a digest of its inputs."""
    return hashlib.sha256(repr((RENDERING_REVISION, *parts)).encode()).hexdigest()[:32]


def split_slots(text: str, slots: dict[str, str]) -> tuple[bytes | str, ...]:
    """``text`` as UTF-8 pieces with slot names between them, for ``fill_slots``.

    ``slots`` maps each placeholder found in ``text`` to its name. A cached page is stored
    this way so that a hit joins a few byte strings instead of searching and encoding the
    whole page for its per-request values.
    """
    pattern = re.compile("|".join(re.escape(placeholder) for placeholder in slots))
    parts: list[bytes | str] = []
    last = 0
    for found in pattern.finditer(text):
        parts += [text[last : found.start()].encode(), slots[found.group()]]
        last = found.end()
    parts.append(text[last:].encode())
    return tuple(parts)


def fill_slots(parts: tuple[bytes | str, ...], values: dict[str, str]) -> bytes:
    """The page of ``split_slots`` with each slot replaced by its value."""
    return b"".join(part if isinstance(part, bytes) else values[part].encode() for part in parts)
