"""``commentsvc model …``: train, evaluate, score, list, use, ensure."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

model_group = click.Group("model", help="Train, evaluate and choose the spam model.")


def _model_dir(out: str | None = None) -> Path:
    return Path(out or current_app.config["MODEL_DIR"])


def _say(message: str) -> None:
    click.echo(message, err=True)


def _fail(message: str) -> None:
    raise click.ClickException(message)


@model_group.command("train")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True),
    help="CSV file or directory of CSV files (default: data/youtube-spam-collection); repeat.",
)
@click.option("--out", default=None, help="Model directory (default: COMMENTSVC_MODEL_DIR).")
@click.option("--no-db", is_flag=True, help="Ignore moderators' decisions in the database.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--quick", is_flag=True, help="Skip the configuration search (one candidate): for tries."
)
@with_appcontext
def train_command(
    data: tuple[str, ...], out: str | None, no_db: bool, seed: int, quick: bool
) -> None:
    """Train a new version from CSV files and moderators' decisions; it becomes current only
    if not worse than the current one on held-out data."""
    from sqlalchemy.exc import SQLAlchemyError

    from commentsvc.spam.data import DataError
    from commentsvc.spam.pipeline import CANDIDATES, DEFAULT_CONFIG
    from commentsvc.spam.service import train_new_version

    try:
        outcome = train_new_version(
            _model_dir(out),
            data_paths=list(data),
            use_database=not no_db,
            seed=seed,
            candidates=(DEFAULT_CONFIG,) if quick else CANDIDATES,
            progress=_say,
        )
    except DataError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        first_line = str(exc).splitlines()[0][:200]
        _fail(
            f"cannot read moderators' decisions ({first_line}); "
            "run `commentsvc db upgrade` or pass --no-db"
        )
    for name, figures in outcome.figures.items():
        click.echo(
            f"{name}: held-out F1 {figures['f1']:.4f}, precision {figures['precision']:.4f}, "
            f"ROC-AUC {figures['roc_auc'] if figures['roc_auc'] is not None else '–'}"
        )
    click.echo(outcome.message)


@model_group.command("evaluate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="One JSON object on standard output.")
@with_appcontext
def evaluate_command(paths: tuple[str, ...], as_json: bool) -> None:
    """Evaluate the current model on CSV files (spam is the positive class)."""
    from commentsvc.spam.data import DataError
    from commentsvc.spam.service import evaluate_files
    from commentsvc.spam.store import ModelError

    try:
        figures = evaluate_files(_model_dir(), paths)
    except (ModelError, DataError) as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    if figures["trained_on"]:
        click.echo(
            f"note: the model was trained on {', '.join(figures['trained_on'])}; "
            "these figures are not held-out (see the grouped CV below)"
        )
    click.echo(
        f"model {figures['model_version']} on {figures['n']} comments ({figures['spam']} spam), "
        f"spam threshold {figures['threshold']}"
    )
    for key in ("accuracy", "precision", "recall", "f1", "false_positive_rate", "roc_auc"):
        click.echo(f"  {key:20} {figures[key]}")
    cv = figures["grouped_cv"]
    for key, where in (
        ("per_file_at_nested_spam", "at a spam threshold chosen without the file"),
        ("per_file_at_spam", "at the spam threshold"),
        ("per_file_at_half", "at the classifier's decision (p = 0.5)"),
    ):
        if not cv.get(key):
            continue
        click.echo(f"grouped CV ({cv['scheme']}), {where}:")
        for name, row in cv.get(key, {}).items():
            click.echo(
                f"  {name:28} at {row['threshold']:<6}  F1 {row['f1']:.4f}  "
                f"precision {row['precision']:.4f}  "
                f"ham FPR {row['false_positive_rate']:.4f}  ROC-AUC {row['roc_auc']}"
            )
    if cv.get("verdict"):
        click.echo(cv["verdict"])


@model_group.command("score")
@click.argument("text")
@click.option("--author", default="", help="Author name.")
@click.option("--website", default="", help="Website field.")
@click.option(
    "--page-url",
    default="",
    help="Address of the page the comment is posted under: links to it are not counted as links.",
)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def score_command(text: str, author: str, website: str, page_url: str, lang: str) -> None:
    """Print the spam score in [0,1] and the reasons."""
    from flask_babel import force_locale

    from commentsvc.reasons import describe
    from commentsvc.spam.base import CommentText
    from commentsvc.spam.store import ModelError, load_current

    try:
        model = load_current(_model_dir())
    except ModelError as exc:
        _fail(str(exc))
    score = model.score(CommentText(body=text, author=author, website=website, page_url=page_url))
    th = model.default_thresholds
    verdict = (
        "spam"
        if score.probability >= th.spam
        else ("pending" if score.probability >= th.hold else "published")
    )
    click.echo(
        f"{score.probability:.4f} {verdict} (hold ≥ {th.hold}, spam ≥ {th.spam}; "
        f"model {score.model_version})"
    )
    with force_locale(lang):
        for reason in score.reasons:
            click.echo(f"  {describe(reason)}  (+{reason.weight:.2f})")


@model_group.command("list")
@with_appcontext
def list_command() -> None:
    """Versions, their figures, and which one is current."""
    from commentsvc.spam.store import list_versions

    versions = list_versions(_model_dir())
    if not versions:
        click.echo(f"no model in {_model_dir()}")
        return
    for info in versions:
        card = info.card
        mark = "*" if info.current else " "
        if "problem" in card:
            click.echo(f"{mark} {info.version}  unreadable: {card['problem']}")
            continue
        pooled = card["grouped_cv"]["pooled_at_spam"]
        worst = min(f["at_spam"]["f1"] for f in card["grouped_cv"]["folds"])
        held = card.get("held_out", {}).get("figures", {}).get(f"new {info.version}")
        held_text = f"  held-out F1 {held['f1']:.4f}" if held else ""
        click.echo(
            f"{mark} {info.version}  {card['created_at']}  {card['config']['name']}  "
            f"CV F1 {pooled['f1']:.4f} (worst file {worst:.4f})  AUC {pooled['roc_auc']}  "
            f"thresholds {card['thresholds']['hold']}/{card['thresholds']['spam']}{held_text}"
        )


@model_group.command("use")
@click.argument("version")
@with_appcontext
def use_command(version: str) -> None:
    """Make VERSION current (restart the service to load it)."""
    from commentsvc.spam.service import use_version
    from commentsvc.spam.store import ModelError

    try:
        model = use_version(_model_dir(), version)
    except ModelError as exc:
        _fail(str(exc))
    click.echo(f"spam model {model.version} is now current")


@model_group.command("ensure")
@with_appcontext
def ensure_command() -> None:
    """Load the current model and say so; train one only if none is usable."""
    from commentsvc.spam.service import ensure_model
    from commentsvc.spam.store import ModelError

    started = time.perf_counter()
    try:
        _model, message = ensure_model(_model_dir(), _say)
    except ModelError as exc:
        _fail(str(exc))
    click.echo(f"{message} in {time.perf_counter() - started:.2f} s")
