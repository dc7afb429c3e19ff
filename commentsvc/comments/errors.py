"""The one error the reader services raise: an HTTP status and a message for the reader."""

from __future__ import annotations


class CommentError(Exception):
    """A refused reader action; views show ``message`` (already translated), the API too.

    ``status`` is the HTTP status to answer with, ``field`` names the form field at fault
    (None when the whole request is), ``code`` is a stable machine-readable name.
    """

    def __init__(
        self, status: int, message: str, *, field: str | None = None, code: str = "refused"
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code

    def __repr__(self) -> str:
        return f"CommentError({self.status}, {self.code!r}, field={self.field!r})"
