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

from commentsvc.spam.pages import same_page

# Hostile input is cut before any work, so that scoring time stays bounded: at most READ_CHARS
# are cleaned, and the classifier reads the first HEAD_CHARS and the last TAIL_CHARS of that
# (spam shows itself early, and links often come last).
READ_CHARS = 4000
HEAD_CHARS = 700
TAIL_CHARS = 300
MAX_CHARS = HEAD_CHARS + TAIL_CHARS
MAX_NAME_CHARS = 200

URL_TOKEN = "zurlz"
EMAIL_TOKEN = "zemailz"
NUMBER_TOKEN = "znumz"
DOMAIN_PREFIX = "zdomz_"
# A link to the page the comment is posted under (``pages.same_page``): not a link elsewhere.
PAGE_TOKEN = "zpagez"

# Format characters (Unicode category Cf: zero-width, BOM, bidi controls, soft hyphen, tags),
# C0/C1 controls but newline and tab, surrogates, private use, and "blank" letters that render
# as nothing. One regex: a per-character loop costs milliseconds on hostile input.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\u2800\u3164\ud800-\uf8ff\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f\U000f0000-\U0010ffff]"
)
_TAGS_RE = re.compile(r"<[^>]{0,500}>")
# A scheme URL, a www. address, or a bare domain with a common TLD ("kidsmediausa.com").
_TLDS = (
    "com|net|org|info|biz|io|co|me|ly|tk|ru|de|fr|be|ch|uk|us|ca|eu|xyz|top|site|online|"
    "club|shop|store|app|tv|gl|gg|to|cc|ws|pro|link|live|win|bet|casino|vip|fun"
)
_SPACED_TLDS = r"(?:com|net|org|fr|info)"
# A dot padded with spaces or written out: "site . com", "site. com", "site(dot)com", and
# "site dot com" after a name of 3+ characters only ("a dot com bubble" is no link).
_SPACED_DOT = (
    r"(?:\s{1,3}\.\s{0,3}|\.\s{1,3}|\s?[(\[{]dot[)\]}]\s?|(?<=[a-z0-9-]{3})\s{1,3}dot\s{1,3})"
)
_WRITTEN_DOT_RE = re.compile(r"\s*(?:\bdot\b|[(\[{]dot[)\]}])\s*", re.IGNORECASE)
_CHARS = r"[^\s<>\"'()\[\]]"
# A link never ends with sentence punctuation ("see http://x.com!!").
_END = r"[^\s<>\"'()\[\].,;:!?]"
_PATH = r"(?:/(?:" + _CHARS + r"*" + _END + r")?)?"
_URL_RE = re.compile(
    r"(?:https?://|www\.)"
    + _CHARS
    + r"*"
    + _END
    + r"|\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,62}){0,4}\.(?:"
    + _TLDS
    + r")\b"
    + _PATH
    # Spaced-out obfuscation ("kidsmediausa  . com", "www . site . com", "site dot com",
    # "site(dot)com"), only for the most common endings.
    + r"|\bwww\s{1,3}\.\s{0,3}[a-z0-9][a-z0-9-]{0,62}\s{0,3}\.\s{0,3}"
    + _SPACED_TLDS
    + r"\b"
    # The name is possessive ({0,62}+): no backtracking into it at every word of the text.
    + r"|\b[a-z0-9][a-z0-9-]{0,62}+"
    + _SPACED_DOT
    + _SPACED_TLDS
    + r"\b"
    # A YouTube link pasted without its domain ("/watch?v=aImbWbfQbzg").
    + r"|(?<![\w/.?=])/?watch\?v=[\w-]{6,}",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_NUMBER_RE = re.compile(r"(?<!\w)\d+(?:[.,]\d+)*(?!\w)")
_REPEAT_RE = re.compile(r"(.)\1{2,}", re.DOTALL)
_SPACE_RE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    """Drop format characters (U+FEFF, zero-width, bidi controls) and control characters."""
    return _INVISIBLE_RE.sub("", text)


def clean_full(text: str) -> str:
    """Raw comment → plain text: entities decoded, tags dropped, invisible characters removed.

    Unicode normalisation (NFKC) is left to ``clean``, after the cut: it is the costly step on
    exotic input.
    """
    if len(text) > READ_CHARS:
        text = text[: READ_CHARS - 1000] + "\n" + text[-1000:]
    text = html.unescape(text)
    # Keep the link targets of <a href="..."> before dropping the tags.
    text = re.sub(r"<a\s[^>]{0,500}?href=\"([^\"]{0,500})\"[^>]{0,500}>", r" \1 ", text, flags=re.I)
    text = _TAGS_RE.sub(" ", text)
    return strip_invisible(text)


def cut(text: str, limit: int = MAX_CHARS) -> str:
    """What the classifier reads of a long text: its head and its tail."""
    if len(text) <= limit:
        return text
    tail = min(TAIL_CHARS, limit // 3)
    return text[: limit - tail] + " \n " + text[-tail:]


def clean(text: str, *, limit: int = MAX_CHARS) -> str:
    """``clean_full``, ``cut``, then NFKC (full-width and styled letters become plain ones)."""
    return unicodedata.normalize("NFKC", cut(clean_full(text), limit))


def find_urls(text: str) -> list[str]:
    """Links in a cleaned text, as written (e-mail addresses are not links)."""
    if "@" in text:
        text = _EMAIL_RE.sub(" ", text)
    return [match.group(0) for match in _URL_RE.finditer(text)]


def domain_of(url: str) -> str:
    """The host of a link, lower case, without ``www.``; "" when there is none."""
    url = _SPACE_RE.sub("", _WRITTEN_DOT_RE.sub(".", url.strip().lower()))
    if not url:
        return ""
    if url.startswith(("/watch?", "watch?")):
        return "youtube.com"
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


def normalise(text: str, page_url: str = "") -> str:
    """Cleaned text → the token stream the classifier reads (lower case, accents kept)."""

    def link(match: re.Match[str]) -> str:
        if page_url and same_page(match.group(0), page_url):
            return f" {PAGE_TOKEN} "
        domain = domain_of(match.group(0))
        return f" {URL_TOKEN} {domain_token(domain)} " if domain else f" {URL_TOKEN} "

    if "@" in text:
        text = _EMAIL_RE.sub(f" {EMAIL_TOKEN} ", text)
    text = _URL_RE.sub(link, text)
    text = _NUMBER_RE.sub(f" {NUMBER_TOKEN} ", text)
    text = _REPEAT_RE.sub(r"\1\1", text.lower())
    return _SPACE_RE.sub(" ", text).strip()
