"""The model card: what the model was trained on, how it was measured, and against which targets."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from typing import Any

from commentsvc.spam.data import Dataset
from commentsvc.spam.training import TrainResult

TARGETS = {"min_file_f1": 0.95, "max_fpr": 0.02, "min_roc_auc": 0.98}


NESTED_F1 = "spam F1 on every held-out file, at a spam threshold chosen without it"
NESTED_FPR = "ham false-positive rate on every held-out file, at a spam threshold chosen without it"
SHIPPED_F1 = "spam F1 on every held-out file, at the spam threshold"
SHIPPED_FPR = "ham false-positive rate at the spam threshold, every held-out file"
AUC = "ROC-AUC (pooled out-of-fold)"


def targets(cv: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The quality targets of the issue, checked on the grouped-CV figures.

    Issue 3 asks for "spam F1 ≥ 0.95 on every held-out file, ham false-positive rate ≤ 2 % at
    the spam threshold". The shipped ``spam`` threshold is chosen on the out-of-fold scores of
    every file, the held-out one included; so each file is also measured at the threshold the
    same rule picks from the other files alone (``at_nested_spam``), as if it were new. F1 is
    also given at the classifier's own decision (calibrated p = 0.5), and the false-positive
    rate pooled.
    """
    folds = cv["folds"]
    pooled = cv["pooled_at_spam"]
    checks: dict[str, tuple[float, float, str]] = {}
    if all("at_nested_spam" in fold for fold in folds):
        checks[NESTED_F1] = (
            min(fold["at_nested_spam"]["f1"] for fold in folds),
            TARGETS["min_file_f1"],
            ">=",
        )
        checks[NESTED_FPR] = (
            max(fold["at_nested_spam"]["false_positive_rate"] for fold in folds),
            TARGETS["max_fpr"],
            "<=",
        )
    checks.update(
        {
            SHIPPED_F1: (
                min(fold["at_spam"]["f1"] for fold in folds),
                TARGETS["min_file_f1"],
                ">=",
            ),
            "spam F1 on every held-out file, at the classifier's decision (p = 0.5)": (
                min(fold["at_half"]["f1"] for fold in folds),
                TARGETS["min_file_f1"],
                ">=",
            ),
            "ham false-positive rate at the spam threshold, pooled": (
                pooled["false_positive_rate"],
                TARGETS["max_fpr"],
                "<=",
            ),
            SHIPPED_FPR: (
                max(fold["at_spam"]["false_positive_rate"] for fold in folds),
                TARGETS["max_fpr"],
                "<=",
            ),
            AUC: (pooled["roc_auc"] or 0.0, TARGETS["min_roc_auc"], ">="),
        }
    )
    result = {}
    for name, (value, target, way) in checks.items():
        met = value >= target if way == ">=" else value <= target
        result[name] = {
            "value": value,
            "target": f"{way} {target}",
            "met": met,
            "short_by": 0.0 if met else round(abs(value - target), 4),
        }
    return result


# The quality target as judged here: F1 and the false-positive rate on every file, at
# the spam threshold chosen without that file (the honest reading) and at the shipped one, and
# the ROC-AUC. Cards made before the nested figures existed are judged on what they hold.
JUDGED = (NESTED_F1, NESTED_FPR, SHIPPED_F1, SHIPPED_FPR, AUC)


def verdict(checks: dict[str, dict[str, Any]]) -> str:
    """One line: is the quality target met, judged on which figures."""
    missed = [name for name in JUDGED if name in checks and not checks[name]["met"]]
    judged = "; ".join(name for name in JUDGED if name in checks)
    if not missed:
        return f"Quality target met, judged on: {judged}."
    return (
        f"Quality target NOT met, judged on: {judged}. Missed: "
        + "; ".join(
            f"{name} ({checks[name]['value']}, short by {checks[name]['short_by']})"
            for name in missed
        )
        + "."
    )


def build_card(result: TrainResult, dataset: Dataset, *, seed: int) -> dict[str, Any]:
    import numpy
    import scipy

    groups = sorted(set(dataset.groups))
    return {
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "python": platform.python_version(),
        "numpy_version": numpy.__version__,
        "scipy_version": scipy.__version__,
        "seed": seed,
        "config": {**result.config.as_dict(), "name": result.config.name},
        "data": {
            "files": dataset.sources,
            "groups": {g: dataset.groups.count(g) for g in groups},
            "n": len(dataset),
            "spam": sum(dataset.labels),
        },
        "thresholds": {"hold": result.thresholds.hold, "spam": result.thresholds.spam},
        "grouped_cv": result.cv,
        "targets": targets(result.cv),
        "verdict": verdict(targets(result.cv)),
        "meta_baseline": result.meta_baseline,
        "priors": result.priors,
        "training_seconds": round(result.seconds, 1),
    }


def _row(name: str, figures: dict[str, Any]) -> str:
    auc = figures.get("roc_auc")
    return (
        f"| {name} | {figures['n']} | {figures['precision']:.3f} | {figures['recall']:.3f} "
        f"| {figures['f1']:.3f} | {figures['false_positive_rate']:.3f} "
        f"| {'–' if auc is None else f'{auc:.3f}'} |"
    )


def _header(card: dict[str, Any]) -> list[str]:
    cv = card["grouped_cv"]
    th = card["thresholds"]
    return [
        f"# Spam model {card.get('version', '?')}",
        "",
        f"Created {card['created_at']} with scikit-learn {card.get('sklearn_version', '?')}, "
        f"skops {card.get('skops_version', '?')}, Python {card['python']}; seed {card['seed']}.",
        f"Configuration: `{card['config']['name']}` (chosen by {cv['scheme']} cross-validation).",
        f"Model file: `{card.get('model_file', '?')}` ({card.get('model_bytes', 0)} bytes), "
        f"SHA-256 `{card.get('model_sha256', '?')}`.",
        "",
        "## Data",
        "",
        "| file | SHA-256 |",
        "|---|---|",
        *[f"| {name} | `{sha}` |" for name, sha in sorted(card["data"]["files"].items())],
        "",
        f"{card['data']['n']} comments, {card['data']['spam']} spam; groups: "
        + ", ".join(f"{g} ({n})" for g, n in card["data"]["groups"].items())
        + ".",
        "",
        "## Thresholds",
        "",
        f"`hold` {th['hold']:.3f} (at most 5 % of legitimate comments held), "
        f"`spam` {th['spam']:.3f} (the lowest keeping precision ≥ 0.98 on the out-of-fold "
        "scores and at most 1.5 % of the legitimate comments of any file of 50+ of them "
        "marked spam: a margin under the 2 % target for files not seen).",
    ]


def _cv_section(card: dict[str, Any]) -> list[str]:
    cv = card["grouped_cv"]
    lines = [
        f"## Grouped cross-validation ({cv['scheme']})",
        "",
        "Each row: a model trained without that file, scored on it. Calibrated probabilities.",
        "",
        "| held out | n | precision | recall | F1 | ham FPR | ROC-AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for fold in cv["folds"]:
        if "at_nested_spam" in fold:
            threshold = fold["nested_spam_threshold"]
            nested = f"{fold['held_out']} @ spam chosen without it ({threshold})"
            lines.append(_row(nested, fold["at_nested_spam"]))
        lines.append(_row(f"{fold['held_out']} @ spam", fold["at_spam"]))
        lines.append(_row(f"{fold['held_out']} @ p = 0.5", fold["at_half"]))
        lines.append(_row(f"{fold['held_out']} @ hold", fold["at_hold"]))
    lines += [
        _row("**pooled @ spam**", cv["pooled_at_spam"]),
        _row("**pooled @ hold**", cv["pooled_at_hold"]),
        "",
        "`@ spam` and `@ hold`: at the two shipped thresholds (above), chosen once on the "
        "out-of-fold scores of every file, the held-out one included; `@ spam chosen without "
        "it`: at the spam threshold the same rule picks from the other files' out-of-fold "
        "scores alone, as for a new site (those scores come from models that did see the "
        "held-out file: no model is retrained per pair of files); `@ p = 0.5`: "
        "at the classifier's own decision. The self-promotion and like-bait phrases "
        "(`commentsvc/spam/patterns.py`) were written after reading the comments missed in "
        "every held-out file: these figures flatter them a little.",
        "",
        "## Targets",
        "",
        card.get("verdict") or verdict(card["targets"]),
        "",
        "| target | value | goal | met |",
        "|---|---|---|---|",
    ]
    for name, check in card["targets"].items():
        met = "yes" if check["met"] else f"**no**, short by {check['short_by']}"
        lines.append(f"| {name} | {check['value']} | {check['target']} | {met} |")
    return lines


def _comparison_section(cv: dict[str, Any]) -> list[str]:
    lines = [
        "## Configurations and baselines (same folds, mean F1 over held-out files)",
        "",
        "Configurations: uncalibrated, at decision 0 (what the search compares); baselines at "
        "p = 0.5; the margin is the chosen model's calibrated mean F1 at p = 0.5 minus theirs.",
        "",
        "| model | mean F1 | worst file F1 | mean ROC-AUC |",
        "|---|---|---|---|",
    ]
    for row in cv["search"]:
        lines.append(
            f"| {row['config']} | {row['mean_f1']:.4f} | {row['min_f1']:.4f} "
            f"| {row['mean_roc_auc']:.4f} |"
        )
    for name, row in cv["baselines"].items():
        margin = cv["margin_over_baselines"][name]
        lines.append(
            f"| baseline: {name} (chosen model ahead by {margin:+.4f}) | {row['mean_f1']:.4f} "
            f"| {row['min_f1']:.4f} | {row['mean_roc_auc']:.4f} |"
        )
    return lines


def _extras(card: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if card.get("priors"):
        lines += [
            "## Priors",
            "",
            "Facts the training data never shows get a fixed weight (log-odds) until moderators' "
            "decisions hold enough examples: "
            + ", ".join(f"`{k}` {v:+.1f}" for k, v in card["priors"].items())
            + ".",
            "",
        ]
    if card.get("held_out"):
        lines += [
            "## Held-out evaluation at promotion",
            "",
            "| model | n | precision | recall | F1 | ham FPR | ROC-AUC |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, figures in card["held_out"].get("figures", {}).items():
            lines.append(_row(name, figures))
        lines += ["", card["held_out"].get("decision", "")]
    return lines


def render_markdown(card: dict[str, Any]) -> str:
    """The card for people: same facts as the JSON."""
    sections = [
        _header(card),
        _cv_section(card),
        _comparison_section(card["grouped_cv"]),
        _extras(card),
    ]
    return "\n\n".join("\n".join(section).strip("\n") for section in sections if section) + "\n"
