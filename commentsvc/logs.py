"""Structured logs: one JSON object per line, and one access line per request with its id."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like one; anything else could forge or flood log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_HANDLER_MARK = "_commentsvc_json"
access_log = logging.getLogger("commentsvc.access")

# LogRecord attributes that are not extra fields.
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# json.dumps escapes C0 controls but, with ensure_ascii=False, keeps these: each of them can end
# a line (NEL, U+2028/9 for str.splitlines and some viewers) or reorder what a terminal shows.
_LINE_BREAKERS = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line; ``extra`` fields become keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        line = json.dumps(entry, default=str, ensure_ascii=False)
        # They can only occur inside JSON strings, where \uXXXX is their valid spelling.
        return _LINE_BREAKERS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)


class RequestIdFilter(logging.Filter):
    """Stamp every record logged while serving a request with that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def request_id_for(incoming: str) -> str:
    """The id of a request: a proxy's ``X-Request-ID`` when it looks like one, else 128
    random bits in hex (as uuid4().hex, without building a UUID object)."""
    return incoming if _VALID_REQUEST_ID.match(incoming) else os.urandom(16).hex()


def log_access(
    request_id: str,
    method: str,
    path: str,
    route: str | None,
    status: int,
    seconds: float,
    size: int | None,
    **extra: Any,
) -> None:
    """The access line of one request (Flask's, or one answered before Flask)."""
    access_log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "bytes": size,
            **extra,
        },
    )


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return g.get("request_id") if has_request_context() else None


def _handler(stream: Any) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure_logging(level: str = "INFO") -> None:
    """JSON lines: access log on stdout, everything else of ours on stderr. Idempotent."""
    app_logger = logging.getLogger("commentsvc")
    app_logger.setLevel(level.upper())
    if any(getattr(h, _HANDLER_MARK, False) for h in app_logger.handlers):
        return
    app_logger.addHandler(_handler(sys.stderr))
    app_logger.propagate = False
    access_log.addHandler(_handler(sys.stdout))
    access_log.propagate = False


def init_request_logging(app: Flask) -> None:
    """Give each request an id (kept from a proxy's X-Request-ID) and log it when done."""
    if not app.testing:
        configure_logging(app.config.get("LOG_LEVEL") or "INFO")

    @app.before_request
    def _start() -> None:
        g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
        g.log_started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id is None:  # a before_request hook failed before ours ran
            return response
        response.headers[REQUEST_ID_HEADER] = request_id
        log_access(
            request_id,
            request.method,
            request.path,
            request.url_rule.rule if request.url_rule else None,
            response.status_code,
            time.perf_counter() - g.log_started,
            response.calculate_content_length(),
        )
        return response
