"""Learning from moderators: labels from the audit log, new versions, the promotion rule."""

from __future__ import annotations

import csv
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, utcnow
from commentsvc.spam.data import bundled_files
from commentsvc.spam.labels import latest_decisions, moderator_labels
from commentsvc.spam.pipeline import DEFAULT_CONFIG
from commentsvc.spam.service import not_worse, train_new_version, use_version
from commentsvc.spam.store import ModelError, current_version, list_versions, load_current
from tests.factories import make_comment, make_site, make_thread

QUICK = (DEFAULT_CONFIG,)


@pytest.mark.parametrize(
    ("new", "old", "promoted"),
    [
        ({"f1": 0.90, "precision": 0.99}, {"f1": 0.90, "precision": 0.99}, True),
        ({"f1": 0.93, "precision": 1.00}, {"f1": 0.90, "precision": 0.99}, True),
        ({"f1": 0.89, "precision": 1.00}, {"f1": 0.90, "precision": 0.99}, False),
        ({"f1": 0.95, "precision": 0.97}, {"f1": 0.90, "precision": 0.99}, False),
    ],
)
def test_promotion_rule(new, old, promoted):
    decision, message = not_worse(new, old)
    assert decision is promoted
    if not promoted:
        assert "worse on held-out data" in message


def copy_of_data(tmp_path: Path, *, flip: bool = False) -> list[Path]:
    """One bundled comment in three (fast to train on); with ``flip``, every label inverted,
    so that a model trained on it is useless."""
    folder = tmp_path / ("flipped" if flip else "sample")
    folder.mkdir()
    for source in bundled_files():
        with source.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))[::3]
        with (folder / source.name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            for row in rows:
                label = int(row["CLASS"])
                writer.writerow({**row, "CLASS": str(1 - label if flip else label)})
    return sorted(folder.glob("*.csv"))


@pytest.fixture(scope="module")
def good_dir(tmp_path_factory) -> Path:
    model_dir = tmp_path_factory.mktemp("good")
    data = copy_of_data(tmp_path_factory.mktemp("data"))
    outcome = train_new_version(model_dir, data_paths=data, use_database=False, candidates=QUICK)
    assert outcome.promoted
    return model_dir


def test_worse_model_is_kept_aside(good_dir, tmp_path):
    model_dir = tmp_path / "models"
    shutil.copytree(good_dir, model_dir)
    before = current_version(model_dir)
    messages: list[str] = []
    outcome = train_new_version(
        model_dir,
        data_paths=copy_of_data(tmp_path, flip=True),
        use_database=False,
        candidates=QUICK,
        progress=messages.append,
    )
    assert not outcome.promoted
    assert "current model unchanged" in outcome.message
    assert "worse on held-out data" in outcome.message
    assert current_version(model_dir) == before
    # Written beside the old one, never over it.
    assert [v.version for v in list_versions(model_dir)] == [before, outcome.version]
    assert any("fold" in line for line in messages)  # progress is shown


def test_better_model_is_promoted_and_rollback_works(good_dir, tmp_path):
    model_dir = tmp_path / "models"
    model_dir.mkdir()
    bad = train_new_version(
        model_dir,
        data_paths=copy_of_data(tmp_path, flip=True),
        use_database=False,
        candidates=QUICK,
    )
    assert bad.promoted  # nothing to compare with
    better = train_new_version(
        model_dir, data_paths=copy_of_data(tmp_path), use_database=False, candidates=QUICK
    )
    assert better.promoted, better.message
    assert "made current" in better.message
    assert current_version(model_dir) == better.version
    new, old = better.figures[f"new {better.version}"], better.figures[f"current {bad.version}"]
    assert new["f1"] > old["f1"]
    use_version(model_dir, bad.version)
    assert load_current(model_dir).version == bad.version
    with pytest.raises(ModelError, match="no version"):
        use_version(model_dir, "v9-20990101")


def audit(comment, action, *, minutes, undoes=None):
    entry = AuditEntry(
        action=action,
        comment_id=comment.id,
        site_id=None,
        actor="test",
        created_at=utcnow() - timedelta(minutes=minutes),
        undoes_id=undoes.id if undoes else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def test_labels_are_each_comments_latest_decision(app):
    thread = make_thread(make_site())
    spam_then_ham = make_comment(thread, "check my channel")
    approved = make_comment(thread, "good point")
    undone = make_comment(thread, "nice")
    ignored = make_comment(thread, "rejected only")
    audit(spam_then_ham, "spam", minutes=10)
    audit(spam_then_ham, "not_spam", minutes=5)
    audit(approved, "approve", minutes=3)
    audit(undone, "not_spam", minutes=9)
    mistake = audit(undone, "spam", minutes=8)
    audit(undone, "undo", minutes=7, undoes=mistake)
    audit(ignored, "reject", minutes=2)
    assert latest_decisions() == {spam_then_ham.id: 0, approved.id: 0, undone.id: 0}


def test_moderator_labels_split_and_used_in_training(app, tmp_path):
    thread = make_thread(make_site())
    comments = [
        make_comment(
            thread,
            f"Gagnez de l'argent vite http://promo{i}.xyz" if i % 2 else f"Bon article {i}",
            author_website="https://promo.xyz" if i % 2 else None,
        )
        for i in range(12)
    ]
    for i, comment in enumerate(comments):
        audit(comment, "spam" if i % 2 else "not_spam", minutes=1)
    train_part, held_out = moderator_labels()
    assert len(train_part) + len(held_out) == 12
    assert all(item.text.body for item in train_part.items)
    assert {item.line % 5 for item in held_out.items} == {0}
    assert set(train_part.groups) == {"moderators"}
    assert any(item.text.website == "https://promo.xyz" for item in train_part.items)
    outcome = train_new_version(
        tmp_path / "models", data_paths=copy_of_data(tmp_path), candidates=QUICK
    )
    card = list_versions(tmp_path / "models")[0].card
    assert card["data"]["groups"]["moderators"] == len(train_part)
    assert card["held_out"]["n"] == 50 + len(held_out)
    assert outcome.promoted
