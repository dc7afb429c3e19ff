"""Feature contributions → a few reasons a moderator reads at a glance, strongest first."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from commentsvc.reasons import Reason
from commentsvc.spam.features import Prepared
from commentsvc.spam.normalise import (
    DOMAIN_PREFIX,
    EMAIL_TOKEN,
    NUMBER_TOKEN,
    PAGE_TOKEN,
    URL_TOKEN,
    domain_token,
)

MAX_REASONS = 4
# Weaker evidence (under a factor e on the odds) is noise to a moderator, not a reason.
MIN_WEIGHT = 1.0
_WORD_RE = re.compile(r"\w+")
_SPECIAL = {
    URL_TOKEN: "links",
    EMAIL_TOKEN: "email",
    NUMBER_TOKEN: "numbers",
    PAGE_TOKEN: "page_link",
}
# Meta facts → reason codes (``links`` and ``email`` merge with their tokens).
_META_CODES = {
    "links": "links",
    "website": "website",
    "website_link": "website_linked",
    "author_url": "author_url",
    "capitals": "capitals",
    "length": "length",
    "very_short": "very_short",
    "exclamations": "exclamations",
    "email": "email",
    "phone": "phone",
    "promotion": "promotion",
    "like_bait": "like_bait",
}

Key = tuple[str, str]  # (code, main parameter)


@dataclass
class Contributions:
    """Shares of the log-odds: word-analyser tokens, whitespace words (char n-grams), facts."""

    tokens: dict[str, float] = field(default_factory=dict)
    words: dict[str, float] = field(default_factory=dict)
    meta: dict[str, float] = field(default_factory=dict)


def _special_key(part: str, prepared: Prepared) -> Key | None:
    if part in _SPECIAL:
        return (_SPECIAL[part], "")
    if part.startswith(DOMAIN_PREFIX):
        for domain in prepared.domains:
            if domain_token(domain) == part:
                return ("link_domain", domain)
        return ("links", "")
    return None


def _token_key(token: str, prepared: Prepared) -> Key | None:
    parts = token.split(" ")
    for part in parts:
        key = _special_key(part, prepared)
        if key is not None:
            return key
    if len(parts) == 1:
        return ("word", token)
    return ("phrase", token)


def _word_key(word: str, prepared: Prepared) -> Key | None:
    pieces = _WORD_RE.findall(word)
    if not pieces:
        return ("symbols", word[:12])
    for piece in pieces:
        key = _special_key(piece, prepared)
        if key is not None:
            return key
    return ("word", max(pieces, key=len))


def _buckets(prepared: Prepared, contributions: Contributions) -> dict[Key, float]:
    buckets: dict[Key, float] = defaultdict(float)
    for token, weight in contributions.tokens.items():
        key = _token_key(token, prepared)
        if key is not None:
            buckets[key] += weight
    for word, weight in contributions.words.items():
        key = _word_key(word, prepared)
        if key is not None:
            buckets[key] += weight
    for name, weight in contributions.meta.items():
        words = _fact_words(name, prepared)
        if words:
            # Shared among the words found so that "subscribe" reads as one reason.
            for word in words:
                buckets[("phrase" if " " in word else "word", word)] += weight / len(words)
        elif name == "solicitation":
            # One fact, told as what it found: self-promotion, like-bait, or both.
            kinds = (
                ("promotion", len(prepared.promotions)),
                ("like_bait", len(prepared.like_baits)),
            )
            found = sum(count for _, count in kinds)
            for code, count in kinds:
                if count:
                    buckets[(code, "")] += weight * count / found
        elif name in _META_CODES:
            buckets[(_META_CODES[name], "")] += weight
    return buckets


def _fact_words(name: str, prepared: Prepared) -> tuple[str, ...]:
    """The words a word-list fact found; () for other facts."""
    if name == "cue_words":
        return prepared.cues
    if name == "lure_words":
        return prepared.lures
    return ()


def _params(key: Key, prepared: Prepared) -> dict[str, object]:
    code, value = key
    if code in ("word", "symbols"):
        return {"word": value}
    if code == "phrase":
        return {"words": value}
    if code == "link_domain":
        return {"domain": value}
    if code == "links":
        return {"count": max(len(prepared.domains), 1)}
    if code == "page_link":
        return {"count": max(prepared.page_links, 1)}
    if code in ("website", "website_linked"):
        return {"domain": prepared.website_domain}
    if code == "capitals":
        return {"percent": round(prepared.meta[4] * 100)}
    if code == "length":
        return {"chars": prepared.length}
    # The first two phrases found: enough for a moderator to see the pattern.
    if code == "promotion" and prepared.promotions:
        return {"words": ", ".join(prepared.promotions[:2])}
    if code == "like_bait" and prepared.like_baits:
        return {"words": ", ".join(prepared.like_baits[:2])}
    return {}


def reasons_from(prepared: Prepared, contributions: Contributions) -> tuple[Reason, ...]:
    """The features that pushed the score towards spam most; none when nothing stands out."""
    buckets = _buckets(prepared, contributions)
    strongest = sorted(
        ((weight, key) for key, weight in buckets.items() if weight >= MIN_WEIGHT),
        key=lambda item: (-item[0], item[1]),
    )[:MAX_REASONS]
    return tuple(Reason(key[0], _params(key, prepared), weight) for weight, key in strongest)
