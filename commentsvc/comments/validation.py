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
# Ids are 32-bit integers on PostgreSQL; a larger one names nothing and overflows the drivers.
MAX_ID = 2**31 - 1

# C0 and C1 controls except tab, newline, carriage return; and lone surrogates.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Names, addresses and titles reach e-mail headers and logs: a line break there is an injection.
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def has_forbidden_characters(value: str) -> bool:
    """NUL, control characters or lone surrogates: never typed by a person."""
    return bool(_FORBIDDEN.search(value))


def has_line_break(value: str) -> bool:
    """CR, LF or a Unicode line/paragraph separator: refused in one-line fields."""
    return bool(_LINE_BREAK.search(value))


def clean_line(value: str | None) -> str:
    """One line of text (name, website), stripped; kept code-point exact otherwise."""
    return (value or "").strip()


def clean_body(value: str | None) -> str:
    """A comment body as typed, except Windows line ends, outer blank lines, trailing space.

    No Unicode normalisation (decomposed accents are what the reader typed), and the first
    line keeps its indentation (it may open a code block).
    """
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _LEADING_BLANK_LINES.sub("", text).rstrip()


def is_blank(text: str) -> bool:
    """Nothing a reader could see: only spaces and invisible format characters (ZWSP, BOM…)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)


def normalise_email(value: str) -> str | None:
    """The address in its normal form, or None when it is not a valid address."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
