"""The words for the pipeline's reason codes, in the viewer's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from commentsvc import reasons


def _ban(p: Mapping[str, Any]) -> str:
    kinds = {"email": _("e-mail address"), "ip": _("IP address"), "name": _("name")}
    return _("The author is banned (by %(kind)s)", kind=kinds.get(p.get("kind", ""), "?"))


def _words(p: Mapping[str, Any]) -> str:
    return ", ".join(str(w) for w in p.get("words", []))


reasons.register("banned_author", _ban)
reasons.register("banned_words", lambda p: _("Banned words: %(words)s", words=_words(p)))
reasons.register("suspect_words", lambda p: _("Suspect words: %(words)s", words=_words(p)))
reasons.register(
    "too_many_links",
    lambda p: _(
        "%(count)d links (the site allows %(allowed)d)",
        count=int(p.get("count", 0)),
        allowed=int(p.get("allowed", 0)),
    ),
)
reasons.register("honeypot", lambda p: _("A field hidden from people was filled in (a robot)"))
reasons.register(
    "too_fast",
    lambda p: _(
        "Sent %(seconds)s s after the form was shown (minimum %(minimum)s s)",
        seconds=p.get("seconds", "?"),
        minimum=p.get("minimum", "?"),
    ),
)
reasons.register(
    "spam_score", lambda p: _("Spam score %(score).2f", score=float(p.get("score", 0)))
)
reasons.register("model_unavailable", lambda p: _("No spam model available: held for safety"))
reasons.register(
    "trusted_author",
    lambda p: _(
        "Trusted author (%(count)d comments published, none rejected)",
        count=int(p.get("published", 0)),
    ),
)
reasons.register("mode_pre", lambda p: _("The site reviews every comment before publishing"))
reasons.register(
    "reported",
    lambda p: _("Reported by %(count)d readers", count=int(p.get("count", 0))),
)
