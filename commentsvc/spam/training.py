"""Training: configuration chosen by cross-validation grouped by source file, then one final fit.

Comments of one video are near-duplicates of each other, so a random split would let the model
see the test comments' twins; every figure here comes from files the model did not train on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold
from sklearn.pipeline import Pipeline

from commentsvc.spam.base import Thresholds
from commentsvc.spam.data import Dataset
from commentsvc.spam.features import META_FEATURES, MetaOf, Prepare
from commentsvc.spam.metrics import binary_metrics, choose_thresholds
from commentsvc.spam.pipeline import (
    CANDIDATES,
    Hashed,
    ModelConfig,
    baselines,
    build,
    build_uncalibrated,
    hash_comments,
)

Progress = Callable[[str], None]
PRIORS = {"website": 1.0, "website_link": 1.5, "author_url": 1.5}
MIN_EXAMPLES_FOR_LEARNING = 30


@dataclass
class TrainResult:
    pipeline: Pipeline
    config: ModelConfig
    thresholds: Thresholds
    # Everything the model card reports about the grouped cross-validation.
    cv: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # Median of each fact over the training comments: the "typical comment" reasons compare to.
    meta_baseline: list[float] = field(default_factory=list)
    # Weights set by hand (log-odds) for facts the training data never shows.
    priors: dict[str, float] = field(default_factory=dict)


def _quiet(message: str) -> None:
    """Default progress sink: say nothing."""


def grouped_splits(
    labels: Sequence[int], groups: Sequence[str], seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Leave one source file out; with a single file, stratified 5-fold (said in the card)."""
    y = np.asarray(labels)
    g = np.asarray(groups)
    if len(set(groups)) >= 2:
        return list(LeaveOneGroupOut().split(y, y, g))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return list(folds.split(y, y))


def _fold_name(groups: np.ndarray, test: np.ndarray) -> str:
    return ",".join(sorted(set(groups[test].tolist())))


def _row_numbers(n: int) -> np.ndarray:
    """What the cross-validation models read: row numbers of the precomputed comments."""
    return np.arange(n).reshape(-1, 1)


class _HashedRows:
    """The training comments hashed once per n-gram choice (candidates that differ only in the
    classifier or the facts' weight share them)."""

    def __init__(self, X: list[Any]) -> None:
        self._X = X
        self._cache: dict[tuple[int, bool], Hashed] = {}

    def __call__(self, config: ModelConfig) -> Hashed:
        key = (config.word_ngrams, config.chars)
        if key not in self._cache:
            self._cache[key] = hash_comments(self._X, config)
        return self._cache[key]


def _search(
    X: _HashedRows, y: np.ndarray, g: np.ndarray, splits: list, candidates, seed: int, say: Progress
) -> list[dict[str, Any]]:
    """Each candidate's held-out F1 (decision 0) and AUC per fold, uncalibrated."""
    results = []
    rows = _row_numbers(len(y))
    for number, config in enumerate(candidates, 1):
        hashed = X(config)
        folds = []
        for index, (train, test) in enumerate(splits, 1):
            model = build_uncalibrated(config, seed=seed, hashed=hashed)
            model.fit(rows[train], y[train])
            decision = model.decision_function(rows[test])
            figures = binary_metrics(y[test], 1 / (1 + np.exp(-decision)), 0.5)
            folds.append({"held_out": _fold_name(g, test), **figures})
            say(
                f"  search {number}/{len(candidates)} {config.name}: fold {index}/{len(splits)}"
                f" (held out {folds[-1]['held_out']}) F1 {figures['f1']:.3f}"
            )
        mean_f1 = float(np.mean([fold["f1"] for fold in folds]))
        mean_auc = float(np.mean([fold["roc_auc"] or 0 for fold in folds]))
        results.append(
            {
                "config": config.name,
                "mean_f1": round(mean_f1, 4),
                "min_f1": round(min(fold["f1"] for fold in folds), 4),
                "mean_roc_auc": round(mean_auc, 4),
            }
        )
    return results


def _baselines(
    X: list[Any], y: np.ndarray, texts: list[Any], splits: list, seed: int, say: Progress
) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    for name, _ in baselines(seed).items():
        folds = []
        for train, test in splits:
            model = baselines(seed)[name]
            model.fit([texts[i] for i in train], y[train])
            proba = model.predict_proba([texts[i] for i in test])[:, 1]
            folds.append(binary_metrics(y[test], proba, 0.5))
        figures[name] = {
            "mean_f1": round(float(np.mean([f["f1"] for f in folds])), 4),
            "min_f1": round(min(f["f1"] for f in folds), 4),
            "mean_roc_auc": round(float(np.mean([f["roc_auc"] or 0 for f in folds])), 4),
        }
        say(f"  baseline {name}: mean F1 {figures[name]['mean_f1']:.3f}")
    return figures


def _out_of_fold(
    X: _HashedRows,
    y: np.ndarray,
    g: np.ndarray,
    splits: list,
    config: ModelConfig,
    seed: int,
    say: Progress,
) -> np.ndarray:
    """Calibrated probabilities for every comment from a model that never saw its file."""
    oof = np.zeros(len(y))
    rows = _row_numbers(len(y))
    hashed = X(config)
    for index, (train, test) in enumerate(splits, 1):
        inner = grouped_splits(y[train].tolist(), g[train].tolist(), seed)
        model = build(config, seed=seed, calibration_splits=inner, hashed=hashed)
        model.fit(rows[train], y[train])
        oof[test] = model.predict_proba(rows[test])[:, 1]
        say(f"  calibrated fold {index}/{len(splits)} (held out {_fold_name(g, test)})")
    return oof


def _per_fold(y, g, splits, oof, thresholds: Thresholds) -> list[dict[str, Any]]:
    rows = []
    for train, test in splits:
        # The threshold as if this file were new: chosen by the same rule on the other files'
        # out-of-fold scores only (those scores come from models that saw this file; a fully
        # nested run would retrain for each pair of files).
        nested = choose_thresholds(y[train], oof[train], g[train])
        rows.append(
            {
                "held_out": _fold_name(g, test),
                "nested_spam_threshold": nested.spam,
                "at_nested_spam": binary_metrics(y[test], oof[test], nested.spam),
                "at_spam": binary_metrics(y[test], oof[test], thresholds.spam),
                "at_hold": binary_metrics(y[test], oof[test], thresholds.hold),
                "at_half": binary_metrics(y[test], oof[test], 0.5),
            }
        )
    return rows


def train(
    dataset: Dataset,
    *,
    seed: int = 0,
    candidates: Sequence[ModelConfig] = CANDIDATES,
    progress: Progress = _quiet,
) -> TrainResult:
    """Choose a configuration by grouped CV, measure it, fit it on everything."""
    started = time.perf_counter()
    say = progress
    texts = dataset.texts
    y = np.asarray(dataset.labels, dtype=int)
    g = np.asarray(dataset.groups)
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both spam and legitimate comments")
    say(f"preparing {len(y)} comments ({int(y.sum())} spam) from {len(set(g.tolist()))} groups")
    X = Prepare().transform(texts)
    splits = grouped_splits(y.tolist(), g.tolist(), seed)
    say(f"step 1/4: choosing among {len(candidates)} configurations, {len(splits)} folds")
    hashed = _HashedRows(X)
    search = _search(hashed, y, g, splits, candidates, seed, say)
    # Best mean held-out F1; ROC-AUC breaks ties.
    best = max(range(len(search)), key=lambda i: (search[i]["mean_f1"], search[i]["mean_roc_auc"]))
    config = candidates[best]
    say(f"chosen: {config.name} (mean F1 {search[best]['mean_f1']:.3f})")
    say("step 2/4: baselines on the same folds")
    base = _baselines(X, y, texts, splits, seed, say)
    say("step 3/4: calibrated out-of-fold scores for the thresholds")
    oof = _out_of_fold(hashed, y, g, splits, config, seed, say)
    thresholds = choose_thresholds(y, oof, g)
    say(f"thresholds: hold {thresholds.hold:.3f}, spam {thresholds.spam:.3f}")
    cv = _cv_report(y, g, splits, oof, thresholds, search, base)
    say("step 4/4: final fit on all data")
    pipeline = build(
        config, seed=seed, calibration_splits=grouped_splits(y.tolist(), g.tolist(), seed)
    )
    pipeline.fit(X, y)
    priors = apply_priors(pipeline, X)
    if priors:
        say(f"priors for facts absent from the data: {priors}")
    seconds = time.perf_counter() - started
    say(f"trained in {seconds:.1f} s")
    # Unscaled, for the facts the model reads (``LinearSpamModel`` applies the scale).
    baseline = np.median(MetaOf(names=_meta_names(pipeline)).transform(X), axis=0)
    return TrainResult(
        pipeline, config, thresholds, cv, seconds, [round(float(v), 6) for v in baseline], priors
    )


def _cv_report(y, g, splits, oof, thresholds: Thresholds, search, base) -> dict[str, Any]:
    """What the model card says about the grouped cross-validation."""
    folds = _per_fold(y, g, splits, oof, thresholds)
    chosen_f1 = float(np.mean([fold["at_half"]["f1"] for fold in folds]))
    return {
        "scheme": "leave-one-file-out" if len(set(g.tolist())) >= 2 else "stratified 5-fold",
        "folds": folds,
        "pooled_at_spam": binary_metrics(y, oof, thresholds.spam),
        "pooled_at_hold": binary_metrics(y, oof, thresholds.hold),
        "search": search,
        "baselines": base,
        "margin_over_baselines": {
            name: round(chosen_f1 - figures["mean_f1"], 4) for name, figures in base.items()
        },
    }


def _meta_names(pipeline: Pipeline) -> tuple[str, ...]:
    return tuple(dict(pipeline.named_steps["features"].transformer_list)["meta"].names)


def apply_priors(pipeline: Pipeline, X: Sequence[Any]) -> dict[str, float]:
    """Give facts that (almost) never occur in the training data a modest, stated weight.

    The bundled comments have no website field and no author name with a link, so a model
    trained on them alone would ignore both; moderators' decisions replace these priors as
    soon as they hold enough examples.
    """
    calibrated = pipeline.named_steps["classifier"].calibrated_classifiers_[0]
    estimator = calibrated.estimator
    a = float(calibrated.calibrators[0].a_)
    meta_step = dict(pipeline.named_steps["features"].transformer_list)["meta"]
    names = _meta_names(pipeline)
    offset = estimator.coef_.shape[1] - len(names)
    applied = {}
    for name, log_odds in PRIORS.items():
        column = META_FEATURES.index(name)
        seen = sum(1 for item in X if item.meta[column] > 0)
        if seen < MIN_EXAMPLES_FOR_LEARNING:
            # log-odds = −a · decision, so a weight of w adds −a·w.
            # The column holds scale × fact: divide, so the stated weight is per fact.
            estimator.coef_[0, offset + names.index(name)] = log_odds / -a / meta_step.scale
            applied[name] = log_odds
    return applied
