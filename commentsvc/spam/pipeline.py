"""The scikit-learn Pipeline of the spam model, its candidate configurations and the baselines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import (
    CountVectorizer,
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from commentsvc.spam.features import MetaOf, Prepare, TextOf

# Hashed n-grams: no vocabulary to store, so the file stays small and loads fast.
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
WORD_TOKENS = r"(?u)\b\w+\b"


@dataclass(frozen=True)
class ModelConfig:
    """One candidate: which classifier, how strongly regularised, which n-grams."""

    classifier: str = "logreg"  # or "svm"
    C: float = 8.0
    chars: bool = True
    word_ngrams: int = 2

    @property
    def name(self) -> str:
        grams = f"words1-{self.word_ngrams}" + ("+chars2-5" if self.chars else "")
        return f"{self.classifier} C={self.C:g} {grams}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CANDIDATES: tuple[ModelConfig, ...] = (
    ModelConfig("logreg", 2.0),
    ModelConfig("logreg", 8.0),
    ModelConfig("logreg", 32.0),
    ModelConfig("logreg", 8.0, chars=False),
    ModelConfig("svm", 0.1),
    ModelConfig("svm", 0.5),
)
# What ``--quick`` trains, and the tests' model.
DEFAULT_CONFIG = ModelConfig("svm", 0.5)


def _hashed(analyzer: str, ngrams: tuple[int, int], n_features: int) -> Pipeline:
    vectorizer = HashingVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        n_features=n_features,
        alternate_sign=False,
        norm=None,
        lowercase=False,  # the normaliser already folded case
        token_pattern=WORD_TOKENS if analyzer == "word" else None,
    )
    return Pipeline(
        [("text", TextOf()), ("hash", vectorizer), ("tfidf", TfidfTransformer(sublinear_tf=True))]
    )


def features(config: ModelConfig) -> FeatureUnion:
    parts = [("words", _hashed("word", (1, config.word_ngrams), WORD_FEATURES))]
    if config.chars:
        parts.append(("chars", _hashed("char_wb", (2, 5), CHAR_FEATURES)))
    parts.append(("meta", MetaOf()))
    return FeatureUnion(parts)


def linear(config: ModelConfig, seed: int) -> LogisticRegression | LinearSVC:
    if config.classifier == "svm":
        return LinearSVC(C=config.C, random_state=seed, max_iter=5000)
    return LogisticRegression(C=config.C, solver="liblinear", random_state=seed, max_iter=2000)


def build(config: ModelConfig, *, seed: int, calibration_splits: Sequence[Any] | int) -> Pipeline:
    """The full model: prepare → n-grams + facts → linear classifier with sigmoid calibration.

    Sigmoid calibration keeps the score linear in log-odds, so each feature's contribution
    (used for the reasons) is exact.
    """
    calibrated = CalibratedClassifierCV(
        linear(config, seed), method="sigmoid", cv=calibration_splits, ensemble=False
    )
    return Pipeline(
        [("prepare", Prepare()), ("features", features(config)), ("classifier", calibrated)]
    )


def build_uncalibrated(config: ModelConfig, *, seed: int) -> Pipeline:
    """The same model without calibration: what the configuration search compares."""
    return Pipeline(
        [
            ("prepare", Prepare()),
            ("features", features(config)),
            ("classifier", linear(config, seed)),
        ]
    )


def _raw_body(items: Sequence[Any]) -> list[str]:
    return [item.body for item in items]


def baselines(seed: int) -> dict[str, Pipeline]:
    """The simpler models we must beat, on the raw comment text."""
    from sklearn.preprocessing import FunctionTransformer

    body = FunctionTransformer(_raw_body)
    return {
        "naive Bayes (word counts)": Pipeline(
            [("body", body), ("counts", CountVectorizer()), ("nb", MultinomialNB())]
        ),
        "TF-IDF + logistic regression": Pipeline(
            [
                ("body", FunctionTransformer(_raw_body)),
                ("tfidf", TfidfVectorizer()),
                ("lr", LogisticRegression(random_state=seed, max_iter=2000)),
            ]
        ),
    }
