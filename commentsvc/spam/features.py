"""What the classifier sees of a comment: its normalised words plus a few facts about it.

The facts (links, capitals, length, website, author name…) are computed once per comment by
``prepare``; the sklearn steps below only pick them up, so the Pipeline and the fast scoring
path in ``model.py`` read exactly the same values.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from commentsvc.spam.base import CommentText
from commentsvc.spam.normalise import (
    MAX_NAME_CHARS,
    clean,
    clean_full,
    cut,
    domain_of,
    find_urls,
    normalise,
)
from commentsvc.spam.pages import same_page
from commentsvc.spam.patterns import like_baits, promotions

# Calls to action and scam vocabulary in English and French. One shared feature: its weight,
# learnt on English data, carries over to the French words (the bundled data has no French).
CUE_WORDS = (
    "subscribe",
    "subscribers",
    "subscribing",
    "sub4sub",
    "channel",
    "check out",
    "visit",
    "click",
    "free",
    "win",
    "money",
    "earn",
    "bitcoin",
    "btc",
    "crypto",
    "casino",
    "bonus",
    "promo",
    "invest",
    "investment",
    "whatsapp",
    "telegram",
    "follow me",
    "giveaway",
    "gift card",
    "abonnez",
    "abonne-toi",
    "abonnez-vous",
    "abonnement",
    "chaîne",
    "chaine",
    "visitez",
    "cliquez",
    "clique",
    "gratuit",
    "gratuite",
    "gratuitement",
    "gagner",
    "gagnez",
    "argent",
    "investir",
    "investissement",
    "rendement",
    "cadeau",
    "suivez-moi",
    "rejoignez",
    "paris sportifs",
)
_CUE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(word) for word in CUE_WORDS) + r")(?![\w-])"
)
# Since v4 the fact "lure_words" replaces "cue_words": the same words but those that only name a
# channel and its audience. On a video page readers talk about the singer's channel and
# subscribers as a matter of course (false positives of v3 on the KatyPerry file: "so close to
# 14,000,000 subscribers", "her own YouTube channel"); a writer's own channel is caught by the
# self-promotion phrases ("my channel", "ma chaîne").
CHANNEL_WORDS = ("subscribers", "subscribing", "channel", "abonnement", "chaîne", "chaine")
LURE_WORDS = tuple(word for word in CUE_WORDS if word not in CHANNEL_WORDS)
_LURE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(word) for word in LURE_WORDS) + r")(?![\w-])"
)
_PHONE_RE = re.compile(r"\+?\d[\d .-]{7,16}\d")
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{2,63}")
_LETTER_RE = re.compile(r"[^\W\d_]")

META_FEATURES = (
    "links",  # links in the body, n/(n+1)
    "website",  # the website field is filled in
    "website_link",  # the website's domain is also linked from the body
    "author_url",  # the author name contains a link
    "capitals",  # share of capitals among letters (10+ letters)
    "length",  # log length, 0..1
    "very_short",  # under 12 characters
    "exclamations",  # runs of "!!"
    "cue_words",  # calls to action / scam words, n/(n+1)
    "email",  # an e-mail address in the body
    "phone",  # a phone-like number
    "promotion",  # self-promotion phrases ("check out my channel"), n/(n+1)
    "like_bait",  # begging for likes ("like this comment if…"), n/(n+1)
    "solicitation",  # both kinds of phrases together, n/(n+1)
    "lure_words",  # cue words but the channel words (LURE_WORDS), n/(n+1)
)
# A model reads the facts it was trained with, so that rolling back to an older version works:
# v1 read the first eleven; v2 added "promotion" and "like_bait" as two facts; v3 read them as
# one, "solicitation" (asking readers to act for the writer, whether to watch, subscribe or
# like): the grouped CV prefers it (like-bait alone is rare and labelled inconsistently across
# files, so its own weight was learnt poorly). Models since v4 read "lure_words" instead of
# "cue_words" (see LURE_WORDS).
FIRST_META_FEATURES = META_FEATURES[:11]
MODEL_META_FEATURES = (
    *(name for name in FIRST_META_FEATURES if name != "cue_words"),
    "solicitation",
    "lure_words",
)


@dataclass(frozen=True)
class Prepared:
    text: str  # normalised body, the input of the n-gram features
    meta: tuple[float, ...]
    domains: tuple[str, ...]  # linked domains, in order
    website_domain: str
    cues: tuple[str, ...]
    length: int = 0  # characters of the cleaned body
    promotions: tuple[str, ...] = ()  # self-promotion phrases, as matched
    like_baits: tuple[str, ...] = ()  # like-bait phrases, as matched
    page_links: int = 0  # links to the page the comment is posted under
    lures: tuple[str, ...] = ()  # LURE_WORDS found, distinct


def _ratio(count: int) -> float:
    return count / (count + 1)


def prepare(comment: CommentText | dict[str, Any]) -> Prepared:
    """Clean, normalise and measure one comment (hostile input included: bounded work)."""
    if isinstance(comment, dict):
        comment = CommentText(**comment)
    full = clean_full(comment.body or "")
    body = unicodedata.normalize("NFKC", cut(full))
    author = clean(comment.author or "", limit=MAX_NAME_CHARS)
    website = clean(comment.website or "", limit=MAX_NAME_CHARS).strip()
    page_url = (comment.page_url or "").strip()
    found = find_urls(body)
    # Links to the page itself (a timestamp in the video, the article quoted) are kept apart:
    # they are not links elsewhere, so neither "links" nor the domains count them.
    urls = [url for url in found if not (page_url and same_page(url, page_url))]
    page_links = len(found) - len(urls)
    domains = tuple(domain for domain in map(domain_of, urls) if domain)
    website_domain = domain_of(website) if website else ""
    letters = _LETTER_RE.findall(body)
    capitals = sum(ch.isupper() for ch in letters) / len(letters) if len(letters) >= 10 else 0.0
    lowered = body.lower()
    # Identity fields speak too: "Bitcoin Gratuit" as a name, casino-en-ligne.fr as a website.
    identity = f"{author} {website_domain.replace('.', ' ').replace('-', ' ')}".lower()
    cue_hits = _CUE_RE.findall(lowered) + _CUE_RE.findall(identity)
    lure_hits = _LURE_RE.findall(lowered) + _LURE_RE.findall(identity)
    cues = tuple(dict.fromkeys(cue_hits))
    text = normalise(body, page_url)
    promoting = promotions(text)
    baiting = like_baits(text)
    meta = (
        _ratio(len(urls)),
        1.0 if website else 0.0,
        1.0 if website_domain and website_domain in domains else 0.0,
        1.0 if find_urls(author) else 0.0,
        capitals,
        min(math.log1p(len(full)) / math.log1p(4000), 1.0),
        1.0 if len(body.strip()) < 12 else 0.0,
        min(lowered.count("!!"), 3) / 3,
        _ratio(len(cue_hits)),
        1.0 if "@" in body and _EMAIL_RE.search(body) else 0.0,
        1.0 if _PHONE_RE.search(body) else 0.0,
        _ratio(len(promoting)),
        _ratio(len(baiting)),
        _ratio(len(promoting) + len(baiting)),
        _ratio(len(lure_hits)),
    )
    return Prepared(
        text,
        meta,
        domains,
        website_domain,
        cues,
        len(full),
        tuple(dict.fromkeys(promoting)),
        tuple(dict.fromkeys(baiting)),
        page_links,
        tuple(dict.fromkeys(lure_hits)),
    )


class Prepare(TransformerMixin, BaseEstimator):
    """Comments (CommentText or dicts) → ``Prepared`` records; stateless."""

    def fit(self, X: Any, y: Any = None) -> Prepare:
        return self

    def transform(self, X: Any) -> list[Prepared]:
        return [item if isinstance(item, Prepared) else prepare(item) for item in X]


class TextOf(TransformerMixin, BaseEstimator):
    """``Prepared`` records → their normalised text."""

    def fit(self, X: Any, y: Any = None) -> TextOf:
        return self

    def transform(self, X: Any) -> list[str]:
        return [item.text for item in X]


class MetaOf(TransformerMixin, BaseEstimator):
    """``Prepared`` records → the dense matrix of the facts named in ``names``."""

    # What a model saved before these parameters existed reads (skops restores no attribute
    # the saved object lacks, so the class attribute answers).
    names: tuple[str, ...] = FIRST_META_FEATURES
    scale: float = 1.0

    def __init__(self, names: tuple[str, ...] = MODEL_META_FEATURES, scale: float = 1.0) -> None:
        self.names = names
        # Facts are few against 2×2¹⁸ n-gram columns: a larger scale lets the regularised
        # classifier give them more weight (chosen by the grouped cross-validation).
        self.scale = scale

    def fit(self, X: Any, y: Any = None) -> MetaOf:
        return self

    def transform(self, X: Any) -> np.ndarray:
        columns = meta_columns(self.names)
        rows = np.array([item.meta for item in X], dtype=np.float64).reshape(-1, len(META_FEATURES))
        return rows[:, columns] * self.scale


def meta_columns(names: tuple[str, ...]) -> list[int]:
    """Positions of these facts in ``Prepared.meta``."""
    return [META_FEATURES.index(name) for name in names]
