"""Every reason code the model emits reads well in French and English, whatever its params."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from commentsvc.reasons import describe
from commentsvc.spam.reason_texts import DESCRIBERS

NBSP = "\u00a0"
CASES = [
    (
        {"code": "word", "params": {"word": "subscribe"}},
        f"mot «{NBSP}subscribe{NBSP}»",
        "word “subscribe”",
    ),
    (
        {"code": "phrase", "params": {"words": "check out"}},
        f"expression «{NBSP}check out{NBSP}»",
        "words “check out”",
    ),
    ({"code": "links", "params": {"count": 1}}, "1 lien", "1 link"),
    ({"code": "links", "params": {"count": 2}}, "2 liens", "2 links"),
    (
        {"code": "page_link", "params": {"count": 1}},
        "1 lien vers cette page",
        "1 link to this page",
    ),
    (
        {"code": "page_link", "params": {"count": 2}},
        "2 liens vers cette page",
        "2 links to this page",
    ),
    ({"code": "link_domain", "params": {"domain": "bit.ly"}}, "lien vers bit.ly", "link to bit.ly"),
    (
        {"code": "website", "params": {"domain": "x.fr"}},
        "site web renseigné (x.fr)",
        "website given (x.fr)",
    ),
    ({"code": "website", "params": {}}, "site web renseigné", "website given"),
    ({"code": "capitals", "params": {"percent": 80}}, f"80{NBSP}% de majuscules", "80% capitals"),
    (
        {"code": "length", "params": {"chars": 900}},
        "commentaire long (900 caractères)",
        "long comment (900 characters)",
    ),
    ({"code": "phone", "params": {}}, "numéro de téléphone", "phone number"),
    (
        {"code": "promotion", "params": {"words": "check out my"}},
        f"autopromotion («{NBSP}check out my{NBSP}»)",
        "self-promotion (“check out my”)",
    ),
    ({"code": "promotion", "params": {}}, "autopromotion", "self-promotion"),
    (
        {"code": "like_bait", "params": {"words": "like this comment"}},
        f"demande de «{NBSP}j’aime{NBSP}» («{NBSP}like this comment{NBSP}»)",
        "asks for likes (“like this comment”)",
    ),
    ({"code": "like_bait", "params": {}}, f"demande de «{NBSP}j’aime{NBSP}»", "asks for likes"),
]


@pytest.mark.parametrize(("stored", "french", "english"), CASES)
def test_reason_texts(app, stored, french, english):
    with force_locale("fr"):
        assert describe(stored) == french
    with force_locale("en"):
        assert describe(stored) == english


@pytest.mark.parametrize("code", sorted(DESCRIBERS))
@pytest.mark.parametrize("params", [{}, {"word": None, "count": "x", "percent": [1], "domain": 5}])
def test_every_code_survives_odd_params(app, code, params):
    for lang in ("fr", "en"):
        with force_locale(lang):
            text = describe({"code": code, "params": params, "weight": 1.0})
            assert text and text != code and "%(" not in text
