"""Which language a response speaks: explicit choice, then the site's default, then the reader's."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, has_request_context, request
from flask_babel import get_translations, refresh

# Jinja's own wrappers for newstyle gettext (escaping, %-formatting): what flask_babel's
# template callables go through too, so a catalogue bound here behaves exactly as theirs.
from jinja2.ext import _make_new_gettext, _make_new_ngettext

SUPPORTED = ("fr", "en")


def select_locale() -> str:
    """``?lang=`` (the embed passes the host page's language), the site default, Accept-Language."""
    languages = current_app.config.get("LANGUAGES") or list(SUPPORTED)
    if not has_request_context():  # services called from the CLI or a worker
        return current_app.config.get("BABEL_DEFAULT_LOCALE") or languages[0]
    explicit = (request.args.get("lang") or "").split("-")[0].lower()
    if explicit in languages:
        return explicit
    site_lang = getattr(g, "site_lang", None)
    if site_lang in languages:
        return site_lang
    return request.accept_languages.best_match(languages) or languages[0]


def use_site_language(lang: str | None) -> None:
    """Called by views that serve one site, before anything is translated."""
    g.site_lang = lang
    refresh()


def one_catalogue_per_render() -> dict[str, Callable[..., str]]:
    """A context processor: the templates' ``gettext`` and ``ngettext`` bound to the catalogue
    of this render's language, looked up once.

    flask_babel's template callables look up the context, the locale and the catalogue again
    for every string (11 µs each here), and a moderation queue page of 50 cards translates
    about 400 of them. A render speaks one language (a ``force_locale`` block around it
    included), and Jinja's ``_()`` resolves ``gettext`` from the render's context first.
    """
    translations = get_translations()
    return {
        "gettext": _make_new_gettext(translations.ugettext),
        "ngettext": _make_new_ngettext(translations.ungettext),
    }


def translation_directories() -> str:
    """Every package keeps its own catalogue (``<package>/translations``); Babel merges them."""
    from pathlib import Path

    root = Path(__file__).resolve().parent
    found = sorted(str(path) for path in root.glob("**/translations") if path.is_dir())
    return ";".join(found) or str(root / "translations")
