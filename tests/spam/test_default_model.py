"""The committed default model: loads, is small, reads French, drives the pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from commentsvc.i18n import use_site_language
from commentsvc.models import Status
from commentsvc.moderation.pipeline import Candidate, moderate, site_thresholds
from commentsvc.reasons import describe
from commentsvc.spam.base import CommentText
from commentsvc.spam.data import FRENCH_FILE, load_csv
from commentsvc.spam.normalise import find_urls
from commentsvc.spam.store import current_version, load_current, read_card
from tests.factories import make_site

MODEL_DIR = Path(__file__).resolve().parents[2] / "ml_models"


@pytest.fixture(scope="module")
def shipped():
    return load_current(MODEL_DIR)


def test_shipped_model_is_small_and_described(shipped):
    version = current_version(MODEL_DIR)
    card = read_card(MODEL_DIR / version)
    assert (MODEL_DIR / version / "model.skops").stat().st_size < 5 * 1024 * 1024
    assert card["thresholds"] == {
        "hold": shipped.default_thresholds.hold,
        "spam": shipped.default_thresholds.spam,
    }
    assert card["grouped_cv"]["scheme"] == "leave-one-file-out"
    assert len(card["grouped_cv"]["folds"]) == 4
    assert set(card["targets"]) and all("met" in t for t in card["targets"].values())
    assert (MODEL_DIR / version / "card.md").is_file()


def test_french_set(shipped):
    """Obvious French link spam above ``hold``, on-topic comments below it (thresholds untuned)."""
    hold = shipped.default_thresholds.hold
    for item in load_csv(FRENCH_FILE).items:
        probability = shipped.score(item.text).probability
        if item.label == 0:
            assert probability < hold, item.text.body
        elif find_urls(item.text.body):
            assert probability >= hold, item.text.body


def test_reasons_read_in_the_sites_language(app, shipped):
    score = shipped.score(CommentText("Abonnez-vous à ma chaîne http://a.fr http://b.fr !!!"))
    stored = [reason.as_dict() for reason in score.reasons]
    with app.test_request_context("/"):
        use_site_language("fr")
        french = [describe(reason) for reason in stored]
    with app.test_request_context("/"):
        use_site_language("en")
        english = [describe(reason) for reason in stored]
    assert "2 liens" in french
    assert "2 links" in english
    assert any(text.startswith("mot «\u00a0") for text in french)


def test_pipeline_uses_the_card_thresholds(app, shipped):
    site = make_site(mode="auto")
    assert site_thresholds(site, shipped) == shipped.default_thresholds
    spam = Candidate(site, None, CommentText("Gagnez 500 € par jour !!! http://gains.xyz"))
    plain = Candidate(site, None, CommentText("Merci pour cet article très clair."))
    assert moderate(spam, spam_model=shipped).status == Status.SPAM
    verdict = moderate(plain, spam_model=shipped)
    assert verdict.status == Status.PUBLISHED
    assert verdict.score is not None and verdict.score.reasons == ()
