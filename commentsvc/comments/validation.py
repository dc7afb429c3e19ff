"""Shape rules for what readers type, shared by the HTML forms, the API and the services."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_NAME = 100
MAX_EMAIL = 254
MAX_WEBSITE = 500
MAX_BODY = 5000
MAX_TITLE = 300
MAX_REPORT_DETAIL = 500

# C0 and C1 controls except tab, newline, carriage return; and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_forbidden_characters(value: str) -> bool:
    """NUL, control characters or lone surrogates: never typed by a person."""
    return bool(_FORBIDDEN.search(value))


def clean_line(value: str | None) -> str:
    """One line of text (name, website), NFC-normalised and stripped."""
    return unicodedata.normalize("NFC", (value or "").strip())


def clean_body(value: str | None) -> str:
    """A comment body: NFC, Windows line ends unified, outer blank space removed."""
    text = unicodedata.normalize("NFC", value or "")
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def normalise_email(value: str) -> str | None:
    """The address in its normal form, or None when it is not a valid address."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
