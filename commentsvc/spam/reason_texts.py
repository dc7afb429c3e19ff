"""The spam model's reason codes in words (French and English through Flask-Babel)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from commentsvc import reasons


def _text(params: Mapping[str, Any], key: str) -> str:
    # Stored params come back from JSON: never trust their type, never let them be long.
    return str(params.get(key) or "?")[:60]


def _int(params: Mapping[str, Any], key: str) -> int:
    try:
        return int(params.get(key) or 0)
    except (TypeError, ValueError):
        return 0


def _links(params: Mapping[str, Any]) -> str:
    count = max(_int(params, "count"), 1)
    return ngettext("%(num)d link", "%(num)d links", count)


def _page_links(params: Mapping[str, Any]) -> str:
    count = max(_int(params, "count"), 1)
    return ngettext("%(num)d link to this page", "%(num)d links to this page", count)


def _website(params: Mapping[str, Any]) -> str:
    if params.get("domain"):
        return _("website given (%(domain)s)", domain=_text(params, "domain"))
    return _("website given")


def _promotion(params: Mapping[str, Any]) -> str:
    if params.get("words"):
        return _("self-promotion (“%(words)s”)", words=_text(params, "words"))
    return _("self-promotion")


def _like_bait(params: Mapping[str, Any]) -> str:
    if params.get("words"):
        return _("asks for likes (“%(words)s”)", words=_text(params, "words"))
    return _("asks for likes")


DESCRIBERS = {
    "word": lambda p: _("word “%(word)s”", word=_text(p, "word")),
    "phrase": lambda p: _("words “%(words)s”", words=_text(p, "words")),
    "symbols": lambda p: _("symbols “%(symbols)s”", symbols=_text(p, "word")),
    "links": _links,
    "page_link": _page_links,
    "link_domain": lambda p: _("link to %(domain)s", domain=_text(p, "domain")),
    "website": _website,
    "website_linked": lambda p: _(
        "website %(domain)s also linked in the text", domain=_text(p, "domain")
    ),
    "author_url": lambda p: _("link in the author name"),
    "capitals": lambda p: _("%(percent)d%% capitals", percent=_int(p, "percent")),
    "length": lambda p: _("long comment (%(chars)d characters)", chars=_int(p, "chars")),
    "very_short": lambda p: _("very short comment"),
    "exclamations": lambda p: _("repeated exclamation marks"),
    "numbers": lambda p: _("numbers in the text"),
    "email": lambda p: _("e-mail address in the text"),
    "phone": lambda p: _("phone number"),
    "promotion": _promotion,
    "like_bait": _like_bait,
}


def register_all() -> None:
    for code, describer in DESCRIBERS.items():
        reasons.register(code, describer)


register_all()
