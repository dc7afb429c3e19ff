"""Templates translate with the render's catalogue, looked up once per render."""

from __future__ import annotations

from pathlib import Path

import flask_babel
import pytest
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

from commentsvc import i18n

STRINGS = (
    "{{ _('Approve') }}|{{ _('Being reviewed by %(who)s', who='<b>Zoé</b>') }}|"
    "{{ ngettext('%(num)d comment matches.', '%(num)d comments match.', 3) }}"
)


def _render(app, lang: str, template: str) -> str:
    # An app context of its own, as each request has under a server: flask_babel keeps the
    # locale in ``g``, which the test's own app context would otherwise share.
    with app.app_context(), app.test_request_context(f"/?lang={lang}"):
        return render_template_string(template)


def test_templates_translate_escape_and_pluralise_in_the_readers_language(app) -> None:
    approve, claim, matches = _render(app, "fr", STRINGS).split("|")
    assert approve == "Approuver"
    # The variable is escaped, the catalogue's own text is not.
    assert claim == "En cours d’examen par &lt;b&gt;Zoé&lt;/b&gt;"
    assert matches == "3 commentaires correspondent."
    assert _render(app, "en", STRINGS).split("|") == [
        "Approve",
        "Being reviewed by &lt;b&gt;Zoé&lt;/b&gt;",
        "3 comments match.",
    ]


def test_a_forced_language_applies_to_the_render_inside_it(app) -> None:
    with app.app_context(), app.test_request_context("/?lang=fr"), force_locale("en"):
        assert render_template_string("{{ _('Approve') }}") == "Approve"


def test_a_render_looks_its_catalogue_up_once_not_per_string(app, monkeypatch) -> None:
    lookups = {"per render": 0, "per string": 0}

    def counted(key, lookup):
        def wrapper():
            lookups[key] += 1
            return lookup()

        return wrapper

    monkeypatch.setattr(i18n, "get_translations", counted("per render", i18n.get_translations))
    # flask_babel's own template callables call this module-level function for every string.
    monkeypatch.setattr(
        flask_babel, "get_translations", counted("per string", flask_babel.get_translations)
    )
    page = _render(app, "fr", "{% for _n in range(50) %}{{ _('Approve') }} {% endfor %}")
    assert page.split() == ["Approuver"] * 50
    assert lookups == {"per render": 1, "per string": 0}


def _french_catalogues() -> list[Path]:
    root = Path(i18n.__file__).resolve().parent
    return sorted(root.glob("**/translations/fr/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("path", _french_catalogues(), ids=lambda path: path.parts[-5])
def test_every_french_message_and_plural_form_is_translated(path) -> None:
    # An empty plural form falls back to English: "3 comments match." on a French page.
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for message in catalogue:
        if not message.id:  # the header
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if (message.pluralizable and len(forms) < catalogue.num_plurals) or not all(forms):
            missing.append(message.id)
    assert missing == []
