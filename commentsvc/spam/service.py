"""What the CLI and the app do with models: train a new version, compare, promote, roll back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commentsvc.spam.card import build_card
from commentsvc.spam.data import FRENCH_FILE, Dataset, bundled_files, load_csv, load_csvs
from commentsvc.spam.metrics import binary_metrics
from commentsvc.spam.model import LinearSpamModel
from commentsvc.spam.pipeline import CANDIDATES, DEFAULT_CONFIG, ModelConfig
from commentsvc.spam.store import (
    ModelError,
    load,
    load_current,
    next_version,
    read_card,
    save,
    set_current,
    write_card,
)
from commentsvc.spam.training import Progress, train

# Tolerance when comparing figures: equal is "not worse".
EPSILON = 1e-9


@dataclass(frozen=True)
class TrainOutcome:
    version: str
    promoted: bool
    message: str
    figures: dict[str, Any]


def evaluate(model: LinearSpamModel, dataset: Dataset) -> dict[str, Any]:
    """Figures at the model's ``spam`` threshold (main keys), at ``hold``, and per file."""
    probabilities = model.probabilities(dataset.texts)
    thresholds = model.default_thresholds
    labels = dataset.labels
    figures: dict[str, Any] = {
        "model_version": model.version,
        **binary_metrics(labels, probabilities, thresholds.spam),
        "thresholds": {"hold": thresholds.hold, "spam": thresholds.spam},
        "at_hold": binary_metrics(labels, probabilities, thresholds.hold),
    }
    groups = sorted(set(dataset.groups))
    if len(groups) > 1:
        figures["per_file"] = {
            group: binary_metrics(
                [y for y, g in zip(labels, dataset.groups, strict=True) if g == group],
                [p for p, g in zip(probabilities, dataset.groups, strict=True) if g == group],
                thresholds.spam,
            )
            for group in groups
        }
    return figures


def evaluate_files(model_dir: Path, paths: Sequence[str | Path]) -> dict[str, Any]:
    """``model evaluate``: the current model on CSV files, with its card's grouped-CV figures."""
    model = load_current(model_dir)
    dataset = load_csvs(paths)
    figures = evaluate(model, dataset)
    card = read_card(model_dir / model.version)
    seen = card["data"]["files"]
    # Figures on files the model trained on are not held-out: say so.
    figures["trained_on"] = sorted(n for n, sha in dataset.sources.items() if seen.get(n) == sha)
    cv = card["grouped_cv"]
    figures["grouped_cv"] = {
        "scheme": cv["scheme"],
        "pooled_at_spam": cv["pooled_at_spam"],
        "per_file_at_spam": {fold["held_out"]: fold["at_spam"] for fold in cv["folds"]},
        "per_file_at_half": {fold["held_out"]: fold["at_half"] for fold in cv["folds"]},
        # Each file at the spam threshold chosen without it (cards since v4).
        "per_file_at_nested_spam": {
            fold["held_out"]: fold["at_nested_spam"]
            for fold in cv["folds"]
            if "at_nested_spam" in fold
        },
        "targets": card["targets"],
        "verdict": card.get("verdict", ""),
        "margin_over_baselines": cv["margin_over_baselines"],
    }
    return figures


def held_out_data(moderators_held_out: Dataset) -> Dataset:
    """The data no version trains on: the French set plus one moderator decision in five."""
    return load_csv(FRENCH_FILE).plus(moderators_held_out)


def not_worse(new: dict[str, Any], old: dict[str, Any]) -> tuple[bool, str]:
    """The promotion rule: F1 and precision at the spam threshold, each at least the old one's."""
    worse = [
        f"{key} {new[key]:.4f} < {old[key]:.4f}"
        for key in ("f1", "precision")
        if new[key] + EPSILON < old[key]
    ]
    if worse:
        return False, "worse on held-out data: " + ", ".join(worse)
    return True, (
        f"not worse on held-out data: F1 {new['f1']:.4f} vs {old['f1']:.4f}, "
        f"precision {new['precision']:.4f} vs {old['precision']:.4f}"
    )


def train_new_version(
    model_dir: Path,
    *,
    data_paths: Sequence[str | Path] | None = None,
    use_database: bool = True,
    seed: int = 0,
    candidates: Sequence[ModelConfig] = CANDIDATES,
    progress: Progress = lambda message: None,
) -> TrainOutcome:
    """Train on CSV files + moderators' decisions; save beside the old; promote if not worse."""
    dataset = load_csvs(data_paths or bundled_files())
    moderators_held_out = Dataset((), {})
    if use_database:
        from commentsvc.spam.labels import moderator_labels

        moderators_train, moderators_held_out = moderator_labels()
        progress(
            f"moderators' decisions: {len(moderators_train)} for training, "
            f"{len(moderators_held_out)} held out"
        )
        dataset = dataset.plus(moderators_train)
    result = train(dataset, seed=seed, candidates=candidates, progress=progress)
    model_dir.mkdir(parents=True, exist_ok=True)
    version = next_version(model_dir, datetime.now(UTC).strftime("%Y%m%d"))
    folder = save(result.pipeline, build_card(result, dataset, seed=seed), model_dir, version)
    held_out = held_out_data(moderators_held_out)
    progress(f"comparing with the current model on {len(held_out)} held-out comments")
    return _compare_and_promote(model_dir, folder, held_out)


def _compare_and_promote(model_dir: Path, folder: Path, held_out: Dataset) -> TrainOutcome:
    """Both models on the same held-out data; the new one becomes current if not worse."""
    version = folder.name
    new_figures = evaluate(load(folder), held_out)
    figures = {f"new {version}": new_figures}
    try:
        old_model = load_current(model_dir)
    except ModelError as exc:
        promoted, message = True, f"no usable current model ({exc})"
    else:
        old_figures = evaluate(old_model, held_out)
        figures[f"current {old_model.version}"] = old_figures
        promoted, message = not_worse(new_figures, old_figures)
    decision = (
        f"{version} made current: {message}."
        if promoted
        else f"{version} kept aside, current model unchanged: {message}."
    )
    card = read_card(folder)
    card["held_out"] = {"n": len(held_out), "figures": figures, "decision": decision}
    write_card(folder, card)
    if promoted:
        set_current(model_dir, version)
    return TrainOutcome(version, promoted, decision, figures)


def use_version(model_dir: Path, version: str) -> LinearSpamModel:
    """Make an existing version current (roll back or forward) once it is known to load."""
    folder = model_dir / version
    if not folder.is_dir():
        raise ModelError(f"no version {version!r} in {model_dir}")
    model = load(folder)
    set_current(model_dir, version)
    return model


def ensure_model(model_dir: Path, progress: Progress) -> tuple[LinearSpamModel, str]:
    """The current model if it loads; otherwise train one from the bundled data.

    The fallback skips the configuration search (the shipped model's configuration): it runs
    at start-up, where waiting matters more than the last point of F1.
    """
    try:
        model = load_current(model_dir)
    except ModelError as exc:
        progress(f"no usable model ({exc}); training one from the bundled data")
        outcome = train_new_version(
            model_dir, use_database=False, candidates=(DEFAULT_CONFIG,), progress=progress
        )
        if not outcome.promoted:
            raise ModelError(outcome.message) from exc
        model = load_current(model_dir)
        return model, f"spam model {model.version} trained and loaded"
    return model, f"spam model {model.version} loaded ({model_dir / model.version})"
