"""Text normalisation: what the classifier reads instead of the raw comment.

URLs, e-mail addresses and numbers become placeholder tokens (a link's domain is kept as its own
token), repeated characters are squeezed, case is folded, accents are kept, and invisible
characters are removed: the bundled data carries a U+FEFF artefact that follows the label in some
files, and spammers use zero-width characters to split words.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

# Hostile input is cut before any work: spam shows itself early, and scoring time stays bounded.
MAX_CHARS = 4000
MAX_NAME_CHARS = 200

URL_TOKEN = "zurlz"
EMAIL_TOKEN = "zemailz"
NUMBER_TOKEN = "znumz"
DOMAIN_PREFIX = "zdomz_"

# Format characters (Cf: zero-width, BOM, bidi controls, soft hyphen) plus a few
# "blank" letters that render as nothing.
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
_TAGS_RE = re.compile(r"<[^>]{0,500}>")
# A scheme URL, a www. address, or a bare domain with a common TLD ("kidsmediausa.com").
_TLDS = (
    "com|net|org|info|biz|io|co|me|ly|tk|ru|de|fr|be|ch|uk|us|ca|eu|xyz|top|site|online|"
    "club|shop|store|app|tv|gl|gg|to|cc|ws|pro|link|live|win|bet|casino|vip|fun"
)
_PATH = r"(?:/[^\s<>\"'()\[\]]*)?"
_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,62}){0,4}\.(?:"
    + _TLDS
    + r")\b"
    + _PATH
    # Spaced-out obfuscation ("kidsmediausa  . com"), only for the big three.
    + r"|\b[a-z0-9][a-z0-9-]{0,62}\s{1,3}\.\s{0,3}(?:com|net|org)\b"
    + r"|\b[a-z0-9][a-z0-9-]{0,62}\.\s{1,3}(?:com|net|org)\b",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_NUMBER_RE = re.compile(r"(?<!\w)\d+(?:[.,]\d+)*(?!\w)")
_REPEAT_RE = re.compile(r"(.)\1{2,}", re.DOTALL)
_SPACE_RE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    """Drop format characters (U+FEFF, zero-width, bidi controls) and NUL-like controls."""
    return "".join(
        ch
        for ch in text
        if ch in "\n\t"
        or (unicodedata.category(ch) not in ("Cf", "Cc", "Cs", "Co") and ch not in _BLANK_LETTERS)
    )


def clean(text: str, *, limit: int = MAX_CHARS) -> str:
    """Raw comment → readable plain text: entities decoded, tags dropped, invisible removed."""
    text = text[: limit * 2]
    text = html.unescape(text)
    # Keep the link targets of <a href="..."> before dropping the tags.
    text = re.sub(r"<a\s[^>]{0,500}?href=\"([^\"]{0,500})\"[^>]{0,500}>", r" \1 ", text, flags=re.I)
    text = _TAGS_RE.sub(" ", text)
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    return text[:limit]


def find_urls(text: str) -> list[str]:
    """Links in a cleaned text, as written (e-mail addresses are not links)."""
    return [match.group(0) for match in _URL_RE.finditer(_EMAIL_RE.sub(" ", text))]


def domain_of(url: str) -> str:
    """The host of a link, lower case, without ``www.``; "" when there is none."""
    url = _SPACE_RE.sub("", url.strip().lower())
    if not url:
        return ""
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host[:80]


def domain_token(domain: str) -> str:
    return DOMAIN_PREFIX + re.sub(r"[^\w]", "_", domain)


def normalise(text: str) -> str:
    """Cleaned text → the token stream the classifier reads (lower case, accents kept)."""

    def link(match: re.Match[str]) -> str:
        domain = domain_of(match.group(0))
        return f" {URL_TOKEN} {domain_token(domain)} " if domain else f" {URL_TOKEN} "

    text = _EMAIL_RE.sub(f" {EMAIL_TOKEN} ", text)
    text = _URL_RE.sub(link, text)
    text = _NUMBER_RE.sub(f" {NUMBER_TOKEN} ", text)
    text = _REPEAT_RE.sub(r"\1\1", text.lower())
    return _SPACE_RE.sub(" ", text).strip()
