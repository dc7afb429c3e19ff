"""Rendered threads cached per thread version, and ETags that let browsers skip the download.

Every change a reader could see bumps ``Thread.version`` (``comments/status.py``), and every
site setting is part of the key too, so a key names exactly one rendering: nothing is ever
deleted from the cache, stale entries are simply never asked for again and expire. That is what
makes it correct across processes and machines sharing Redis, with no invalidation messages.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, request
from sqlalchemy import inspect

from commentsvc.extensions import cache
from commentsvc.metrics import record_cache_lookup
from commentsvc.models import Site, Thread

log = logging.getLogger(__name__)
T = TypeVar("T")

# Part of every key and ETag: a new release renders differently, so it must not reuse pages.
RENDERING_REVISION = "1"


def site_fingerprint(site: Site) -> str:
    """A digest of every setting of the site: changing any of them changes every key."""
    state = inspect(site)
    values = [repr(state.attrs[attr.key].loaded_value) for attr in state.mapper.column_attrs]
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ThreadView:
    """Everything one rendering of a thread depends on; ``extra`` for view-specific inputs."""

    kind: str
    site: Site
    thread: Thread | None
    lang: str
    sort: str = "oldest"
    cursor: str | None = None
    extra: tuple[Hashable, ...] = ()

    @property
    def digest(self) -> str:
        thread_part = (self.thread.id, self.thread.version) if self.thread else (None, 0)
        parts = (
            RENDERING_REVISION,
            self.kind,
            self.site.id,
            site_fingerprint(self.site),
            *thread_part,
            self.lang,
            self.sort,
            self.cursor,
            *self.extra,
        )
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    @property
    def cache_key(self) -> str:
        return f"thread:{self.kind}:{self.digest}"

    @property
    def etag(self) -> str:
        return self.digest


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
