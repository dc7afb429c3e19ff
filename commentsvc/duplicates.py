"""When two comment bodies count as the same text: the fingerprint stored with each comment."""

from __future__ import annotations

import hashlib
import re

_SPACES = re.compile(r"\s+")


def comparable(text: str) -> str:
    """The text as duplicates are compared: spacing and case do not count."""
    return _SPACES.sub(" ", text).strip().casefold()


def fingerprint(body: str | None) -> str | None:
    """32 hex digits naming the comparable text; None for a blank body (never a duplicate).

    Stored in ``comments.body_fingerprint`` and indexed, so that the duplicate rule finds an
    author's identical text with one equality lookup instead of reading their recent comments.
    """
    text = comparable(body or "")
    if not text:
        return None
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
