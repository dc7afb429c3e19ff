"""The trained spam model as the service uses it: a probability and the reasons behind it.

Scoring reads the fitted Pipeline's own parameters (hash functions, IDF weights, coefficients,
calibration) and computes the same linear function directly: a single comment scores in well
under a millisecond, and every feature's share of the log-odds is known exactly. A test checks
that this equals ``pipeline.predict_proba``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import murmurhash3_32

from commentsvc.spam.base import CommentText, Score, Thresholds
from commentsvc.spam.explain import Contributions, reasons_from
from commentsvc.spam.features import Prepared, meta_columns, prepare


def hashed_columns(tokens: Sequence[str], n_features: int) -> np.ndarray:
    """The columns sklearn's HashingVectorizer gives these tokens (same murmurhash, same modulo;
    its special case for −2³¹ is the same number modulo ``n_features``)."""
    hashes = np.fromiter(
        (murmurhash3_32(token, seed=0) for token in tokens), dtype=np.int64, count=len(tokens)
    )
    return np.abs(hashes) % n_features


# Words whose char n-gram columns each block keeps: a comment's words are mostly common ones,
# and cutting a word into n-grams and hashing them was most of a comment's scoring. About
# 320 bytes a word (measured): at most ~6.5 MB per worker, whatever words hostile texts bring.
WORD_COLUMNS_CACHED = 20_000


@dataclass
class _Block:
    """One hashed TF-IDF block of the feature union."""

    offset: int
    n_features: int
    idf: np.ndarray
    sublinear: bool
    analyzer: Callable[[str], list[str]]

    def __post_init__(self) -> None:
        self.word_columns: Callable[[str], np.ndarray] = lru_cache(maxsize=WORD_COLUMNS_CACHED)(
            self._word_columns
        )

    def _word_columns(self, word: str) -> np.ndarray:
        columns = self.columns(self.analyzer(word))
        columns.setflags(write=False)  # shared by every later comment with this word
        return columns

    def columns(self, tokens: Sequence[str]) -> np.ndarray:
        return hashed_columns(tokens, self.n_features)

    def contributions(self, columns: np.ndarray, tf: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """Per distinct column: coefficient × L2-normalised (sublinear) TF-IDF value."""
        if self.sublinear:
            tf = np.log(tf) + 1.0
        values = tf * self.idf[columns]
        norm = math.sqrt(float(values @ values))
        if norm == 0.0:
            return np.zeros(len(columns))
        return coef[self.offset + columns] * (values / norm)


def _block(union: Any, name: str, offset: int) -> _Block | None:
    parts = dict(union.transformer_list)
    if name not in parts:
        return None
    hashing = parts[name].named_steps["hash"]
    tfidf = parts[name].named_steps["tfidf"]
    return _Block(
        offset, hashing.n_features, tfidf.idf_, tfidf.sublinear_tf, hashing.build_analyzer()
    )


class LinearSpamModel:
    """A fitted Pipeline plus its version and default thresholds (from the model card)."""

    usable = True

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        version: str,
        thresholds: Thresholds,
        meta_baseline: Sequence[float] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.version = version
        self.default_thresholds = thresholds
        calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_[0]
        estimator = calibrated.estimator
        calibrator = calibrated.calibrators[0]
        # P(spam) = 1 / (1 + exp(a·f + b)); log-odds = −(a·f + b), so a feature adds −a·w·x.
        self._a = float(calibrator.a_)
        self._b = float(calibrator.b_)
        self._coef = np.asarray(estimator.coef_, dtype=np.float64).ravel()
        self._intercept = float(np.ravel(estimator.intercept_)[0])
        union = pipeline.named_steps["features"]
        self._words = _block(union, "words", 0)
        assert self._words is not None
        self._chars = _block(union, "chars", self._words.n_features)
        # The facts this model was trained with (older versions read fewer).
        meta_step = dict(union.transformer_list)["meta"]
        self._meta_names = tuple(meta_step.names)
        self._meta_scale = float(meta_step.scale)
        self._meta_columns = np.asarray(meta_columns(self._meta_names), dtype=np.intp)
        self._meta_offset = self._coef.size - len(self._meta_names)
        self._meta_baseline = self._meta_scale * np.asarray(
            meta_baseline if meta_baseline is not None else [0.0] * len(self._meta_names)
        )

    def decision(self, prepared: Prepared) -> tuple[float, Contributions]:
        """The classifier's decision value and each feature's share of it (in log-odds)."""
        scale = -self._a
        words = self._word_contributions(prepared.text)
        chars = self._char_contributions(prepared.text)
        facts = np.asarray(prepared.meta)[self._meta_columns] * self._meta_scale
        meta = facts * self._coef[self._meta_offset :]
        decision = self._intercept + sum(words.values()) + sum(chars.values()) + float(meta.sum())
        # Meta facts are measured against a typical comment (training medians), so that an
        # ordinary length or a few capitals do not read as evidence.
        centred = (facts - self._meta_baseline) * self._coef[self._meta_offset :]
        contributions = Contributions(
            tokens={token: scale * value for token, value in words.items()},
            words={word: scale * value for word, value in chars.items()},
            meta={
                name: scale * float(v) for name, v in zip(self._meta_names, centred, strict=True)
            },
        )
        return decision, contributions

    def _word_contributions(self, text: str) -> dict[str, float]:
        """Word and word-pair contributions (tokens sharing a hashed column share its weight)."""
        block = self._words
        tokens = Counter(block.analyzer(text))
        if not tokens:
            return {}
        counts = np.fromiter(tokens.values(), dtype=np.float64, count=len(tokens))
        distinct, position = np.unique(block.columns(list(tokens)), return_inverse=True)
        totals = np.bincount(position, weights=counts, minlength=len(distinct))
        per_unit = block.contributions(distinct, totals, self._coef) / totals
        return dict(zip(tokens, (per_unit[position] * counts).tolist(), strict=True))

    def _char_contributions(self, text: str) -> dict[str, float]:
        """Char n-gram contributions, each shared out among the words that contain it."""
        block = self._chars
        if block is None:
            return {}
        words = Counter(text.split())
        if not words:
            return {}
        per_word = [block.word_columns(word) for word in words]
        lengths = [len(columns) for columns in per_word]
        occurrences = np.fromiter(words.values(), dtype=np.float64, count=len(words))
        owner = np.repeat(np.arange(len(words)), lengths)
        distinct, position = np.unique(np.concatenate(per_word), return_inverse=True)
        # A column's count in the document: the sum over the words holding it.
        totals = np.bincount(position, weights=occurrences[owner], minlength=len(distinct))
        per_unit = block.contributions(distinct, totals, self._coef) / totals
        shares = np.bincount(owner, weights=per_unit[position], minlength=len(words))
        return dict(zip(words, (shares * occurrences).tolist(), strict=True))

    def probability_of(self, decision: float) -> float:
        return 1.0 / (1.0 + math.exp(max(min(self._a * decision + self._b, 700.0), -700.0)))

    def score(self, comment: CommentText) -> Score:
        """P(spam) and the few features that pushed it most, strongest first."""
        prepared = prepare(comment)
        decision, contributions = self.decision(prepared)
        probability = self.probability_of(decision)
        return Score(probability, reasons_from(prepared, contributions), self.version)

    def probabilities(self, comments: Sequence[CommentText]) -> list[float]:
        """Batch scoring through the Pipeline itself (evaluation, tests)."""
        return self.pipeline.predict_proba(list(comments))[:, 1].tolist()
