"""Links to the page a comment is posted under: not links elsewhere, for every model version."""

from __future__ import annotations

from pathlib import Path

import pytest

from commentsvc.spam.base import CommentText
from commentsvc.spam.explain import Contributions, reasons_from
from commentsvc.spam.features import META_FEATURES, prepare
from commentsvc.spam.normalise import PAGE_TOKEN, URL_TOKEN
from commentsvc.spam.store import load, load_current

MODEL_DIR = Path(__file__).resolve().parents[2] / "ml_models"
VIDEO = "https://www.youtube.com/watch?v=KQ6zr6kCPj8"
# A legitimate comment of the LMFAO file (a timestamp in the video it is posted under).
BEST_PART = '<a href="http://www.youtube.com/watch?v=KQ6zr6kCPj8&amp;t=2m19s">2:19</a> best part'
ELSEWHERE = '<a href="http://www.youtube.com/watch?v=vtaRGgvGtWQ&amp;t=2m19s">2:19</a> best part'


def _fact(prepared, name: str) -> float:
    return prepared.meta[META_FEATURES.index(name)]


def test_a_link_to_the_page_is_not_counted_as_a_link():
    own = prepare(CommentText(BEST_PART, page_url=VIDEO))
    assert own.page_links == 1
    assert _fact(own, "links") == 0.0
    assert own.domains == ()
    assert PAGE_TOKEN in own.text.split() and URL_TOKEN not in own.text.split()
    # Without the page, or linking to another video, it is a link like any other.
    for other in (CommentText(BEST_PART), CommentText(ELSEWHERE, page_url=VIDEO)):
        prepared = prepare(other)
        assert prepared.page_links == 0
        assert _fact(prepared, "links") == 0.5
        assert prepared.domains == ("youtube.com",)
        assert URL_TOKEN in prepared.text.split()


def test_only_the_other_links_count():
    prepared = prepare(
        CommentText(f"see {VIDEO} and http://spam.example.com/x", page_url="youtu.be/KQ6zr6kCPj8")
    )
    assert prepared.page_links == 1
    assert prepared.domains == ("spam.example.com",)
    assert _fact(prepared, "links") == 0.5


def test_page_link_reason_says_so():
    """Should the page token ever weigh towards spam, the reason names it, not "1 link"."""
    prepared = prepare(CommentText(BEST_PART, page_url=VIDEO))
    reasons = reasons_from(prepared, Contributions(tokens={PAGE_TOKEN: 2.0}))
    assert [(r.code, r.params) for r in reasons] == [("page_link", {"count": 1})]


@pytest.mark.parametrize(
    "version", sorted(path.name for path in MODEL_DIR.glob("v*-*") if path.is_dir())
)
def test_every_version_scores_a_link_to_its_page_lower(version):
    """Old versions too: the link to the page is no link for them either (not a new token they
    would misread: an unseen token weighs nothing)."""
    model = load(MODEL_DIR / version)
    own = model.score(CommentText(BEST_PART, page_url=VIDEO))
    elsewhere = model.score(CommentText(ELSEWHERE, page_url=VIDEO))
    assert own.probability < elsewhere.probability
    assert "links" not in {reason.code for reason in own.reasons}


def test_channel_words_no_longer_accuse_but_v3_still_reads_them():
    text = CommentText("Since when has Katy Perry had her own YouTube channel?")
    prepared = prepare(text)
    assert prepared.cues == ("channel",) and prepared.lures == ()
    assert _fact(prepared, "lure_words") == 0.0
    current = load_current(MODEL_DIR)
    v3 = load(MODEL_DIR / "v3-20261127")
    assert "cue_words" in v3._meta_names and "lure_words" not in v3._meta_names
    assert "lure_words" in current._meta_names and "cue_words" not in current._meta_names
    assert current.score(text).probability < current.default_thresholds.spam
    assert v3.score(text).probability > current.score(text).probability
