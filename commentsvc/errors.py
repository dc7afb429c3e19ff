"""Error responses: RFC 9457 problem+json for the API, a readable page elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from flask_babel import gettext as _
from limits.errors import StorageError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from commentsvc.extensions import db
from commentsvc.security_log import note_refusal, reason_of

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5


def wants_problem_json() -> bool:
    """API paths, and clients that asked for JSON, get problem+json."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", PROBLEM_JSON])
    return best in {"application/json", PROBLEM_JSON}


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    """A problem+json response; ``extra`` becomes extension members (e.g. ``errors``)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _http_title(status),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    return response


def _http_title(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error")


def error_page(status: int, detail: str) -> Response:
    html = render_template("error.html", status=status, title=_http_title(status), detail=detail)
    return Response(html, status=status, mimetype="text/html")


def respond_error(status: int, detail: str, **extra: Any) -> Response:
    if wants_problem_json():
        return problem(status, detail, **extra)
    return error_page(status, detail)


def _describe(exc: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("Nothing was found at this address."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        415: _("This content type is not supported here."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    custom = exc.description if exc.description != type(exc).description else None
    return custom or messages.get(exc.code or 500, _("Something went wrong."))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        note_refusal(reason_of(exc))
        response = respond_error(exc.code or 500, _describe(exc))
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    # A unique or foreign key refused the write: a race with another request (two first
    # comments creating one thread, a double click), not an outage. Nothing was written.
    @app.errorhandler(IntegrityError)
    def _conflict(exc: IntegrityError) -> Response:
        log.info("write refused by a constraint: %s", str(exc.orig).splitlines()[0][:200])
        db.session.rollback()
        return respond_error(
            409, _("This conflicts with a change made at the same moment. Please try again.")
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def _database_unavailable(exc: Exception) -> Response:
        log.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else exc)
        db.session.rollback()
        response = respond_error(503, _("The service is briefly unavailable. Please try again."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    # Reached only when rate limits fail closed (COMMENTSVC_RATELIMIT_FAIL_OPEN=false): without
    # their store the limited request is refused, as unavailable rather than as our fault.
    @app.errorhandler(RedisError)
    @app.errorhandler(StorageError)
    def _limit_store_unavailable(exc: Exception) -> Response:
        log.warning("rate limit store unavailable, request refused (fail closed): %s", exc)
        response = respond_error(503, _("The service is briefly unavailable. Please try again."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return respond_error(500, _("Something went wrong on our side."))
