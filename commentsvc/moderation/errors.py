"""The error moderation services raise: an HTTP status and a message in the viewer's language."""

from __future__ import annotations

from typing import Any


class ModerationError(Exception):
    """A refused moderation request; views map ``status`` to the response, show ``message``."""

    def __init__(self, status: int, message: Any, *, code: str = "") -> None:
        # Not str(message): a lazy string cannot be put in words outside a request.
        super().__init__(f"{status} {code or 'refused'}")
        self.status = status
        # A lazy string: it is put in words when shown, in the viewer's language.
        self.message = message
        self.code = code
