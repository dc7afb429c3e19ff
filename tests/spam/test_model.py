"""The fitted model: exact fast scoring, determinism, reasons, hostile text."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from commentsvc.spam.base import CommentText
from commentsvc.spam.model import hashed_columns
from commentsvc.spam.pipeline import DEFAULT_CONFIG
from commentsvc.spam.training import train


@pytest.mark.parametrize("n_features", [2**18, 1000, 7])
def test_hashed_columns_match_sklearn(n_features):
    vectorizer = HashingVectorizer(
        n_features=n_features, alternate_sign=False, norm=None, analyzer=lambda doc: doc
    )
    tokens = ["subscribe", "check out", "zurlz", "é", "🎉", " ab", "chaîne", "x"]
    matrix = vectorizer.transform([[token] for token in tokens])
    expected = [int(matrix[i].indices[0]) for i in range(len(tokens))]
    assert hashed_columns(tokens, n_features).tolist() == expected


def test_fast_scoring_equals_the_pipeline(model, bundled):
    texts = [
        *bundled.texts[::7],
        CommentText("Gagnez 500 € http://x.fr", author="Bot", website="https://casino.fr"),
        CommentText(""),
    ]
    by_pipeline = np.array(model.probabilities(texts))
    fast = np.array([model.score(text).probability for text in texts])
    np.testing.assert_allclose(fast, by_pipeline, rtol=0, atol=1e-9)
    # Again, now that every word's n-gram columns come from the cache.
    again = np.array([model.score(text).probability for text in texts])
    np.testing.assert_allclose(again, by_pipeline, rtol=0, atol=1e-9)


def test_a_words_ngrams_are_cut_and_hashed_once(model):
    cache = model._chars.word_columns
    cache.cache_clear()
    text = CommentText("Merci pour cet article, merci encore pour les sources.")
    first = model.score(text)
    cut = cache.cache_info().misses
    assert 0 < cut <= len(set(text.body.split()))
    assert model.score(text) == first
    assert cache.cache_info().misses == cut


def test_same_data_and_seed_give_the_same_figures(bundled):
    small = bundled.__class__(bundled.items[::3], bundled.sources)
    first = train(small, seed=3, candidates=(DEFAULT_CONFIG,))
    second = train(small, seed=3, candidates=(DEFAULT_CONFIG,))
    assert first.cv == second.cv
    assert first.thresholds == second.thresholds
    texts = small.texts[:50]
    assert (
        first.pipeline.predict_proba(texts).tolist()
        == second.pipeline.predict_proba(texts).tolist()
    )


def test_grouped_cv_holds_out_each_file(trained, bundled):
    held_out = [fold["held_out"] for fold in trained.cv["folds"]]
    assert sorted(held_out) == sorted(set(bundled.groups))
    assert trained.cv["scheme"] == "leave-one-file-out"
    for fold in trained.cv["folds"]:
        assert 0.8 < fold["at_spam"]["f1"] <= 1.0
    assert set(trained.cv["baselines"]) == {
        "naive Bayes (word counts)",
        "TF-IDF + logistic regression",
    }


def test_thresholds_keep_precision(trained):
    th = trained.thresholds
    assert 0 < th.hold <= th.spam < 1
    assert trained.cv["pooled_at_spam"]["precision"] >= 0.98


def codes(score) -> list[str]:
    return [reason.code for reason in score.reasons]


def test_link_and_subscribe_give_those_reasons(model):
    score = model.score(
        CommentText("Hey check out my channel http://bit.ly/x http://y.com and subscribe please")
    )
    assert score.probability >= model.default_thresholds.spam
    words = [r.params.get("word") for r in score.reasons]
    assert "links" in codes(score)
    assert "subscribe" in words
    links = next(r for r in score.reasons if r.code == "links")
    assert links.params == {"count": 2}
    weights = [r.weight for r in score.reasons]
    assert weights == sorted(weights, reverse=True)
    assert len(score.reasons) <= 4


@pytest.mark.parametrize(
    "body",
    [
        "I love this song, it reminds me of my first summer in London.",
        "The bridge at 2:10 is the best part of the whole track.",
        "Très bon article, merci pour ces précisions sur la réforme.",
        "Je ne suis pas d’accord : les chiffres de l’Insee disent le contraire.",
    ],
)
def test_plain_on_topic_comment_is_not_accused(model, body):
    score = model.score(CommentText(body))
    assert score.probability < model.default_thresholds.hold
    assert score.reasons == ()


def test_seo_spam_through_the_website_field(model):
    score = model.score(
        CommentText("Très bon contenu, continuez comme ça.", website="https://casino-en-ligne.fr")
    )
    assert score.probability >= model.default_thresholds.hold
    # The website's domain speaks: "casino" is read from it.
    assert any(r.code == "word" and r.params["word"] == "casino" for r in score.reasons)


HOSTILE = {
    "empty": "",
    "spaces": " \n\t ",
    "100 KB": "spam " * 20_000,
    "binary-looking": "".join(chr(i) for i in range(0, 2000)) * 5,
    "emoji only": "😂🔥💯" * 300,
    "rtl": "مرحبا بكم في موقعنا، اشترك الآن في القناة",
    "zero-width": "s\u200bu\u200cb\u200ds\ufeffc\u2060ribe",
    "chinese": "这首歌真好听，我每天都听。",
    "russian": "Отличная песня, слушаю каждый день",
    "surrogate-free nul": "a\x00b\x00c",
    "long word": "x" * 100_000,
    "many links": "http://a.com " * 3000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_scores(model, name):
    body = HOSTILE[name]
    score = model.score(CommentText(body, author=body[:300], website=body[:300]))
    assert 0.0 <= score.probability <= 1.0
    assert all(reason.weight > 0 for reason in score.reasons)
    assert model.probabilities([CommentText(body)])[0] == pytest.approx(
        model.score(CommentText(body)).probability, abs=1e-9
    )


def test_zero_width_does_not_hide_subscribe(model):
    hidden = model.score(CommentText("s\u200bubscri\u200dbe to my chan\ufeffnel"))
    plain = model.score(CommentText("subscribe to my channel"))
    assert hidden.probability == pytest.approx(plain.probability)


def test_self_promotion_and_like_bait_give_those_reasons(model):
    promo = model.score(CommentText("Hey guys check out my new song, it took me weeks"))
    assert promo.probability >= model.default_thresholds.hold
    reason = next(r for r in promo.reasons if r.code == "promotion")
    assert reason.params == {"words": "check out, my new song"}
    bait = model.score(CommentText("Like this comment if you are watching in 2015"))
    assert "like_bait" in codes(bait)


def test_facts_scale_is_read_by_the_fast_path(bundled):
    """A model whose facts weigh more scores the same through the Pipeline and the fast path."""
    from dataclasses import replace

    from commentsvc.spam.model import LinearSpamModel

    small = bundled.__class__(bundled.items[::4], bundled.sources)
    config = replace(DEFAULT_CONFIG, facts_scale=3.0)
    result = train(small, seed=0, candidates=(config,))
    model = LinearSpamModel(
        result.pipeline,
        version="t",
        thresholds=result.thresholds,
        meta_baseline=result.meta_baseline,
    )
    texts = [*small.texts[:40], CommentText("x", website="https://casino.fr", author="www.a.com")]
    np.testing.assert_allclose(
        [model.score(t).probability for t in texts], model.probabilities(texts), atol=1e-9
    )
    # The stated priors stay per fact whatever the scale (1.5 is clear of the reasons' cut-off).
    linked = model.score(CommentText("Merci.", author="www.example.org"))
    assert next(r for r in linked.reasons if r.code == "author_url").weight == pytest.approx(
        result.priors["author_url"], abs=0.01
    )


def test_training_rows_give_what_the_pipeline_gives(bundled):
    """Cross-validation reads precomputed hashed rows: the same decisions as from comments."""
    from commentsvc.spam.features import Prepare
    from commentsvc.spam.pipeline import build_uncalibrated, hash_comments

    X = Prepare().transform(bundled.texts[::3])
    y = np.asarray(bundled.labels[::3])
    rows = np.arange(len(X)).reshape(-1, 1)
    half = len(X) // 2
    from_comments = build_uncalibrated(DEFAULT_CONFIG, seed=0).fit(X[:half], y[:half])
    from_rows = build_uncalibrated(
        DEFAULT_CONFIG, seed=0, hashed=hash_comments(X, DEFAULT_CONFIG)
    ).fit(rows[:half], y[:half])
    np.testing.assert_allclose(
        from_rows.decision_function(rows[half:]),
        from_comments.decision_function(X[half:]),
        rtol=0,
        atol=1e-12,
    )


def test_solicitation_is_told_as_what_it_found(model):
    """One fact for both kinds of phrases; its share goes to each kind by how often it occurs."""
    score = model.score(
        CommentText("check out my channel and my new song, and like this comment if u agree")
    )
    by_code = {reason.code: reason for reason in score.reasons}
    assert by_code["promotion"].params == {"words": "check out, my channel"}
    assert by_code["like_bait"].params == {"words": "like this comment"}
    # Three self-promotion phrases, one like-bait: three quarters against one quarter.
    assert by_code["promotion"].weight == pytest.approx(3 * by_code["like_bait"].weight, rel=0.05)
