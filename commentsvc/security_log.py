"""Security events: every refused request logged once, a JSON line an operator can act on.

The event says when (the record's time), who (the client address, after ``ProxyFix``), what
(method and route) and why (a stable reason code, plus the names of the fields at fault).
It never holds what the client sent: no body, no query string (edit keys, unsubscribe and form
tokens travel there), no header but a cut-down User-Agent, and a route template instead of the
path when a route matched (unsubscribe tokens are path segments). Anything echoed from the
request is neutralised first, so that a reader cannot forge or colour log lines: control
characters and line or bidi separators are shown as ``\\uXXXX``, e-mail addresses lose their
local part.

Every 4xx is a refusal; so is a request a refusal point names with :func:`note_refusal` whatever
its status (the admin's redirect of a visitor without a session to its login page). A 4xx that
nobody explained is still logged, with a reason named after its status.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

security_log = logging.getLogger("commentsvc.security")

MAX_TEXT = 200
# C0 and C1 controls, DEL, line/paragraph separators, bidi overrides and isolates, BOM:
# everything that could end a line, move the cursor or reorder what a terminal shows.
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_EMAIL = re.compile(r"[^\s@/\\<>\"'(),;:]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def neutralise(text: str | None, *, limit: int = MAX_TEXT) -> str:
    """``text`` safe to put in a log line: controls escaped, e-mail addresses masked, cut."""
    if not text:
        return ""
    text = _EMAIL.sub(r"…@\1", text[: limit * 2])
    text = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[:limit] + "…"


STATUS_REASONS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_fields",
    429: "rate_limited",
}


def reason_for_status(status: int) -> str:
    """The reason of a refusal that only its status explains."""
    return STATUS_REASONS.get(status, f"http_{status}")


def note_refusal(reason: str, *, fields: Iterable[str] = ()) -> None:
    """Name why this request is refused (a stable code) and which fields were at fault."""
    g.refusal = (reason, tuple(neutralise(f, limit=60) for f in fields))


def reason_of(exc: HTTPException) -> str:
    """A stable code for an HTTP exception: ``csrf``, ``rate_limited``, ``payload_too_large``…"""
    if type(exc).__name__ == "CSRFError":  # Flask-WTF's, a 400 like any other otherwise
        return "csrf"
    return reason_for_status(exc.code or 400)


def _log_refusal(response: Response) -> Response:
    status = response.status_code
    noted = g.get("refusal")
    # Any 4xx; and a refusal answered otherwise, such as the admin's redirect to its login page.
    if status >= 500 or (noted is None and not 400 <= status < 500):
        return response
    reason, fields = noted or (reason_for_status(status), ())
    route = request.url_rule.rule if request.url_rule else None
    level = logging.WARNING if status in (401, 403, 429) or reason == "csrf" else logging.INFO
    ip = neutralise(request.remote_addr, limit=64)
    security_log.log(
        level,
        "refused %s %s: %s from %s",
        status,
        neutralise(route or request.path),
        neutralise(reason, limit=60),
        ip,
        extra={
            "event": "refusal",
            "status": status,
            "reason": neutralise(reason, limit=60),
            "fields": list(fields),
            "ip": ip,
            "method": neutralise(request.method, limit=10),
            "route": route,
            "path": None if route else neutralise(request.path),
            "user_agent": neutralise(request.user_agent.string, limit=120),
        },
    )
    return response


def init_security_log(app: Flask) -> None:
    """Log every refusal the app answers (any 4xx, and noted ones) as a security event."""
    app.after_request(_log_refusal)
