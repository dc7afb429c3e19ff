"""Shared reader pages answered in front of Flask, the way a proxy cache would, in each worker.

A thread's iframe page and its JSON are the same bytes for every reader who carries no
cookie, until the thread or the site changes. Flask renders such a response once, with every
hook (security headers, CORS, cache keys, language); the view then *offers* it here, naming
the thread it shows. Later requests that match it exactly are answered from this process's
memory after one indexed query proves the thread's version unchanged, so a comment posted or
a decision taken through any process or machine is seen at once, as with the shared cache.
Site settings may be seen up to ``ENTRY_SECONDS`` late, as ``caching.recent_site`` allows.

Per-request values are never replayed: each answer gets its own request id, script nonce (in
the body and the CSP) and form token; the access log, the latency histogram and the cache
counters record it like any other request.

Only plain anonymous ``GET`` requests are answered here. Anything that can make a response
personal (any cookie, an ``Authorization`` header) or conditional (``If-None-Match`` …) goes to
Flask, and a response is kept only if every header it ``Vary``-es on is part of the key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from commentsvc.caching import sites_changed
from commentsvc.comments.embed import new_nonce
from commentsvc.comments.formtoken import form_token_at
from commentsvc.logs import REQUEST_ID_HEADER, log_access, request_id_for
from commentsvc.metrics import record_cache_lookup, request_series
from commentsvc.models import Thread

if TYPE_CHECKING:
    from commentsvc.caching import ThreadView

OFFER = "commentsvc.edge.offer"
EXTENSION = "commentsvc_front_cache"
ENTRY_SECONDS = 5.0
# Request headers a kept response may depend on (lower case, as in ``Vary``), and their
# WSGI names: every one of them is part of the key.
KEYED_HEADERS = {
    "host": "HTTP_HOST",
    "accept": "HTTP_ACCEPT",
    "accept-language": "HTTP_ACCEPT_LANGUAGE",
    "origin": "HTTP_ORIGIN",
    "access-control-request-method": "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "access-control-request-headers": "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
}
# Present in the request: the answer may be personal or conditional, Flask decides.
PASS_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_RANGE",
    "HTTP_RANGE",
)
# Set per answer, never replayed from a kept one.
_PER_REQUEST_HEADERS = {"content-length", REQUEST_ID_HEADER.lower()}
_SLOT_NONCE, _SLOT_TOKEN = 0, 1


@dataclass(frozen=True)
class Offer:
    """What a view says about the response it is returning, for it to be kept."""

    site_id: int
    url: str
    # (id, version) of the thread shown, None if the page has no thread yet.
    thread: tuple[int, int] | None
    # The values to renew on every answer: the script nonce, and the form token's site and page.
    nonce: str | None = None
    token: str | None = None
    token_for: tuple[str, str] | None = None


def offer(
    view: ThreadView,
    *,
    nonce: str | None = None,
    token: str | None = None,
    token_for: tuple[str, str] | None = None,
) -> None:
    """Let the front cache keep this request's response, which shows ``view`` (views call it
    only for responses every anonymous reader gets alike)."""
    thread = (view.thread.id, view.thread.version) if view.thread is not None else None
    request.environ[OFFER] = Offer(view.site.id, view.url, thread, nonce, token, token_for)


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str | tuple[str | int, ...]]]
    parts: tuple[bytes | int, ...]
    size: int
    offer: Offer
    route: str
    expires: float


class FrontCache:
    """WSGI middleware: answers repeated anonymous reads from kept responses."""

    def __init__(
        self,
        wsgi_app: Callable,
        *,
        engine: Engine,
        secret: str,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.secret = secret
        self.max_bytes = max_bytes
        self.clock = clock
        self._engine = engine
        self._entries: dict[tuple, Entry] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._version_sql = (
            f"SELECT id, version FROM {Thread.__table__.name}"
            f" WHERE site_id = {placeholder} AND url = {placeholder}"
        )

    # -- serving ------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        entry = self._entries.get(key)
        if entry is not None:
            if entry.expires > self.clock() and self._current(entry.offer):
                return self._answer(entry, environ, start_response, started)
            self._forget(key)
        record_cache_lookup("front", hit=False)
        return self._render_and_keep(key, environ, start_response)

    @staticmethod
    def _key(environ: dict[str, Any]) -> tuple | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        if any(name in environ for name in PASS_HEADERS):
            return None
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            *(environ.get(name) for name in KEYED_HEADERS.values()),
        )

    def _current(self, offer: Offer) -> bool:
        """Whether the thread the kept response shows is still at the same version.

        A database that does not answer makes it "no": Flask then answers as it does when
        the database is down.
        """
        try:
            connection = self._engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute(self._version_sql, (offer.site_id, offer.url))
                row = cursor.fetchone()
                cursor.close()
            finally:
                connection.close()
        except (SQLAlchemyError, self._engine.dialect.loaded_dbapi.Error):
            return False
        return (tuple(row) if row is not None else None) == offer.thread

    def _answer(
        self, entry: Entry, environ: dict[str, Any], start_response: Callable, started: float
    ) -> list[bytes]:
        request_id = request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        values = self._renewed(entry.offer)
        body = b"".join(part if isinstance(part, bytes) else values[part] for part in entry.parts)
        headers = [
            (name, value if isinstance(value, str) else _fill(value, values))
            for name, value in entry.headers
        ]
        headers += [("Content-Length", str(len(body))), (REQUEST_ID_HEADER, request_id)]
        start_response(entry.status, headers)
        record_cache_lookup("front", hit=True)
        seconds = time.perf_counter() - started
        request_series("GET", entry.route, 200).observe(seconds)
        path = environ.get("PATH_INFO", "")
        log_access(request_id, "GET", path, entry.route, 200, seconds, len(body), front_cache=True)
        return [body]

    def _renewed(self, offer: Offer) -> dict[int, bytes]:
        values: dict[int, bytes] = {}
        if offer.nonce is not None:
            values[_SLOT_NONCE] = new_nonce().encode()
        if offer.token_for is not None:
            site, url = offer.token_for
            values[_SLOT_TOKEN] = form_token_at(self.secret, site, url, time.time()).encode()
        return values

    # -- keeping ------------------------------------------------------------------------------

    def _render_and_keep(
        self, key: tuple, environ: dict[str, Any], start_response: Callable
    ) -> Iterable[bytes]:
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        offered = environ.get(OFFER)
        if offered is None or not captured or not captured[0].startswith("200"):
            return result
        # A kept response is sent whole anyway; reading it here costs nothing more.
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        entry = self._entry(captured[0], captured[1], body, offered, environ)
        if entry is not None:
            self._keep(key, entry)
        return [body]

    def _entry(
        self,
        status: str,
        headers: list[tuple[str, str]],
        body: bytes,
        offered: Offer,
        environ: dict[str, Any],
    ) -> Entry | None:
        kept: list[tuple[str, str | tuple[str | int, ...]]] = []
        for name, value in headers:
            lower = name.lower()
            if lower == "set-cookie":
                return None
            if lower == "vary" and not _keyed(value):
                return None
            if lower not in _PER_REQUEST_HEADERS:
                kept.append((name, _header_value(value, offered)))
        parts = _split(body, [(slot, value.encode()) for slot, value in _needles(offered)])
        route = environ.get("commentsvc.route") or "unmatched"
        return Entry(status, kept, parts, len(body), offered, route, self.clock() + ENTRY_SECONDS)

    def _keep(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes // 8:
            return
        with self._lock:
            self._forget_locked(key)
            while self._entries and self._bytes + entry.size > self.max_bytes:
                self._forget_locked(next(iter(self._entries)))  # the oldest kept first
            self._entries[key] = entry
            self._bytes += entry.size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _forget(self, key: tuple) -> None:
        with self._lock:
            self._forget_locked(key)

    def _forget_locked(self, key: tuple) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size

    @property
    def kept_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


def _keyed(vary: str) -> bool:
    names = {part.strip().lower() for part in vary.split(",") if part.strip()}
    return names <= set(KEYED_HEADERS)


def _needles(offered: Offer) -> list[tuple[int, str]]:
    return [
        (slot, value)
        for slot, value in ((_SLOT_NONCE, offered.nonce), (_SLOT_TOKEN, offered.token))
        if value
    ]


def _split(whole: Any, needles: list[tuple[int, Any]]) -> tuple[Any, ...]:
    """``whole`` (text or bytes) cut around each needle, the needle's slot number between."""
    pieces = [whole]
    for slot, needle in needles:
        split: list[Any] = []
        for piece in pieces:
            if isinstance(piece, int):
                split.append(piece)
                continue
            first, *rest = piece.split(needle)
            split.append(first)
            for chunk in rest:
                split += [slot, chunk]
        pieces = split
    return tuple(piece for piece in pieces if piece != whole[:0])


def _header_value(value: str, offered: Offer) -> str | tuple[str | int, ...]:
    """A header value with the offer's per-request values replaced by slots (or as is)."""
    pieces = _split(value, _needles(offered))
    return value if pieces == (value,) else pieces


def _fill(pieces: tuple[str | int, ...], values: dict[int, bytes]) -> str:
    return "".join(piece if isinstance(piece, str) else values[piece].decode() for piece in pieces)


def install(app: Flask) -> None:
    """Put the front cache in front of the app (inside ``ProxyFix``, which must wrap it)."""
    megabytes = app.config.get("FRONT_CACHE_MB", 32)
    if not megabytes:
        return
    with app.app_context():
        from commentsvc.extensions import db

        engine = db.engine

    @app.before_request
    def _note_route() -> None:
        # The rule, for the access log and the latency histogram of answers made here.
        if request.url_rule is not None:
            request.environ["commentsvc.route"] = request.url_rule.rule

    front = FrontCache(
        app.wsgi_app,
        engine=engine,
        secret=app.config["SECRET_KEY"],
        max_bytes=int(megabytes * 1024 * 1024),
    )
    app.extensions[EXTENSION] = front
    app.wsgi_app = front  # type: ignore[method-assign]


@event.listens_for(Session, "after_flush")
def _forget_on_site_change(session: Session, _context: Any) -> None:
    # As the site copies of ``caching``: a change made in this process applies at once.
    if sites_changed(session):
        front = current_app.extensions.get(EXTENSION)
        if front is not None:
            front.clear()
