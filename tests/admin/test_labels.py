"""Words the admin shows for stored keys: translated, and never blank for an unknown key."""

import pytest
from flask_babel import force_locale

from commentsvc.admin.labels import action_text, report_text, sort_text, status_text, tab_text


@pytest.mark.parametrize(
    ("words", "key", "english", "french"),
    [
        (status_text, "pending", "pending", "en attente"),
        (tab_text, "reported", "Reported", "Signalés"),
        (sort_text, "oldest", "oldest first", "plus anciens d’abord"),
        (action_text, "not_spam", "not spam", "pas du spam"),
        (report_text, "off-topic", "off topic", "hors sujet"),
    ],
)
def test_each_key_reads_in_the_viewers_language(app, words, key, english, french) -> None:
    with app.test_request_context(), force_locale("en"):
        assert words(key) == english
    with app.test_request_context(), force_locale("fr"):
        assert words(key) == french


def test_an_unknown_key_shows_as_stored_and_a_missing_one_as_a_dash(app) -> None:
    with app.test_request_context():
        assert action_text("rename") == "rename"
        assert status_text(None) == "—"
