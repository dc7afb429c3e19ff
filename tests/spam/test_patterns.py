"""Self-promotion and like-bait phrases: found in English and French, not in ordinary opinions."""

from __future__ import annotations

import pytest

from commentsvc.spam.base import CommentText
from commentsvc.spam.features import META_FEATURES, prepare
from commentsvc.spam.normalise import clean, normalise
from commentsvc.spam.patterns import like_baits, promotions


def read(text: str) -> str:
    return normalise(clean(text))


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Check me out! I rap so yeah", "check me out"),
        ("everyone please come check our newest song", "our newest song"),
        ("Nice song .See my new track.", "my new track"),
        ("sub to me if you like covers", "sub to me"),
        ("PLZZZ share this everywhere", "plzz share"),
        ("Allez voir ma chaîne, je fais des vidéos", "allez voir ma"),
        ("Abonnez-vous à ma chaîne svp", "abonnez-vous à ma"),
    ],
)
def test_self_promotion_is_found(text, phrase):
    assert phrase in promotions(read(text))


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Like this comment if you are watching in 2015", "like this comment"),
        ("Thumbs up if you still jam to this", "thumbs up if"),
        ("give it a like", "give it a like"),
        ("Likez ce commentaire si vous êtes d’accord", "likez ce commentaire"),
    ],
)
def test_like_bait_is_found(text, phrase):
    assert phrase in like_baits(read(text))


@pytest.mark.parametrize(
    "text",
    [
        "I love this song, it reminds me of my first summer in London.",
        "My favourite part is the bridge, check the lyrics at 2:10.",
        "Since when has Katy Perry had her own YouTube channel?",
        "Je ne suis pas d’accord avec la conclusion de l’article.",
        "J’ai lu le livre après votre critique, merci.",
        "I like this song more than the comments here.",
    ],
)
def test_ordinary_opinions_match_nothing(text):
    assert promotions(read(text)) == []
    assert like_baits(read(text)) == []


def test_prepare_counts_them_as_facts():
    prepared = prepare(CommentText("Check out my channel!! and like this comment"))
    meta = dict(zip(META_FEATURES, prepared.meta, strict=True))
    assert meta["promotion"] == pytest.approx(2 / 3)  # "check out", "my channel"
    assert meta["like_bait"] == pytest.approx(1 / 2)
    assert meta["solicitation"] == pytest.approx(3 / 4)  # both kinds, one fact
    assert prepared.promotions == ("check out", "my channel")
    assert prepared.like_baits == ("like this comment",)
