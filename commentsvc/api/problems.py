"""API errors: one exception type, answered as RFC 9457 problem+json in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response
from flask_babel import gettext as _
from pydantic import ValidationError

from commentsvc.errors import problem
from commentsvc.security_log import note_refusal, reason_for_status


class ApiError(Exception):
    """A client error with its HTTP status and a human, translated ``detail``."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra

    def response(self) -> Response:
        fields = [str(error.get("field", "")) for error in self.extra.get("errors") or ()]
        reason = self.extra.get("code") or reason_for_status(self.status)
        note_refusal(str(reason), fields=fields)
        return problem(self.status, self.detail, **self.extra)


def _message(error: Mapping[str, Any]) -> str:
    """Pydantic's English message in the reader's language, for the error types we expect."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long", "too_long"}:
        return _("At most %(n)s characters or items.", n=ctx.get("max_length"))
    if kind in {"string_too_short", "too_short"}:
        return _("At least %(n)s characters or items.", n=ctx.get("min_length"))
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Expected a whole number.")
    if kind in {"string_type"}:
        return _("Expected a string.")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Expected true or false.")
    if kind in {"list_type"}:
        return _("Expected a list.")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("Expected a JSON object.")
    if kind in {"enum", "literal_error"}:
        return _("Expected one of: %(values)s.", values=ctx.get("expected", ""))
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return _("This number is out of range.")
    if kind == "value_error":
        return str(ctx.get("error") or _("This value is not valid."))
    return _("This value is not valid.")


def validation_problem(exc: ValidationError, *, location: str) -> ApiError:
    """A 422 listing each invalid field (``errors``: pointer + message)."""
    errors = [
        {"field": _pointer(location, error["loc"]), "message": _message(error)}
        for error in exc.errors(include_url=False)
    ]
    return ApiError(422, _("Some fields are not valid."), errors=errors)


def _pointer(location: str, loc: Sequence[Any]) -> str:
    return ".".join([location, *(str(part) for part in loc)])
