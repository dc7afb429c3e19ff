"""``commentsvc model …`` through Click's runner, on a private model directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from commentsvc.spam.data import FRENCH_FILE, bundled_files
from commentsvc.spam.store import current_version

REPO_MODELS = Path(__file__).resolve().parents[2] / "ml_models"


@pytest.fixture
def app_config(tmp_path):
    model_dir = tmp_path / "models"
    shutil.copytree(REPO_MODELS, model_dir)
    return {"MODEL_DIR": str(model_dir)}


def test_evaluate_json_keys_and_ranges(runner):
    result = runner.invoke(args=["model", "evaluate", str(FRENCH_FILE), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    for key in ("accuracy", "precision", "recall", "f1", "roc_auc", "false_positive_rate"):
        assert 0.0 <= figures[key] <= 1.0, key
    assert figures["n"] == 50
    assert figures["spam"] == 20
    assert figures["trained_on"] == []
    assert figures["thresholds"]["hold"] <= figures["thresholds"]["spam"]
    assert set(figures["grouped_cv"]["per_file_at_spam"]) == {p.name for p in bundled_files()}
    assert set(figures["grouped_cv"]["per_file_at_half"]) == {p.name for p in bundled_files()}
    assert figures["grouped_cv"]["verdict"].startswith("Quality target")


def test_evaluate_says_when_data_was_trained_on(runner):
    result = runner.invoke(args=["model", "evaluate", str(bundled_files()[0])])
    assert result.exit_code == 0, result.output
    assert "not held-out" in result.output
    assert "grouped CV" in result.output
    assert "at the spam threshold:" in result.output
    assert "at the classifier's decision (p = 0.5):" in result.output
    assert "Quality target" in result.output


def test_evaluate_bad_file_is_one_clear_line(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("CONTENT\nx\n", encoding="utf-8")
    result = runner.invoke(args=["model", "evaluate", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:1: missing column(s) CLASS" in result.output


def test_score_prints_probability_and_reasons_in_both_languages(runner):
    text = "Check out my channel http://a.com http://b.com and subscribe!!"
    french = runner.invoke(args=["model", "score", text])
    english = runner.invoke(args=["model", "score", text, "--lang", "en"])
    assert french.exit_code == 0, french.output
    assert float(french.output.split()[0]) > 0.9
    assert " spam " in french.output
    assert "2 liens" in french.output
    assert "mot «\u00a0subscribe\u00a0»" in french.output
    assert "2 links" in english.output
    assert "word “subscribe”" in english.output


def test_score_with_the_page_url(runner):
    text = "PSY - GANGNAM STYLE (강남스타일) M/V: http://youtu.be/9bZkp7q19f0"
    page = ["--page-url", "https://www.youtube.com/watch?v=9bZkp7q19f0", "--lang", "en"]
    alone = runner.invoke(args=["model", "score", text, "--lang", "en"])
    on_its_page = runner.invoke(args=["model", "score", text, *page])
    assert on_its_page.exit_code == 0, on_its_page.output
    assert float(on_its_page.output.split()[0]) < float(alone.output.split()[0])
    assert "1 link" not in on_its_page.output


def test_list_use_and_ensure(runner, app):
    model_dir = Path(app.config["MODEL_DIR"])
    version = current_version(model_dir)
    listed = runner.invoke(args=["model", "list"])
    assert listed.exit_code == 0
    assert f"* {version}" in listed.output
    assert runner.invoke(args=["model", "use", "v99-20990101"]).exit_code == 1
    used = runner.invoke(args=["model", "use", version])
    assert f"spam model {version} is now current" in used.output
    ensured = runner.invoke(args=["model", "ensure"])
    assert ensured.exit_code == 0
    assert f"spam model {version} loaded" in ensured.output
    assert "trained" not in ensured.output


def test_ensure_trains_when_nothing_is_usable(runner, app):
    model_dir = Path(app.config["MODEL_DIR"])
    shutil.rmtree(model_dir)
    result = runner.invoke(args=["model", "ensure"])
    assert result.exit_code == 0, result.output
    assert "trained and loaded" in result.output
    assert "no usable model" in result.output
    assert current_version(model_dir) is not None


def test_train_quick_writes_a_new_version_beside_the_old(runner, app, tmp_path):
    model_dir = Path(app.config["MODEL_DIR"])
    before = current_version(model_dir)
    sample = tmp_path / "sample.csv"
    rows = bundled_files()[0].read_text(encoding="utf-8").splitlines(keepends=True)
    sample.write_text("".join(rows[:120]), encoding="utf-8")
    second = tmp_path / "second.csv"
    rows = bundled_files()[1].read_text(encoding="utf-8").splitlines(keepends=True)
    second.write_text("".join(rows[:120]), encoding="utf-8")
    result = runner.invoke(
        args=["model", "train", "--quick", "--data", str(sample), "--data", str(second)]
    )
    assert result.exit_code == 0, result.output
    assert "fold 1/2" in result.output
    assert "held-out F1" in result.output
    assert (model_dir / before).is_dir()
    versions = sorted(p.name for p in model_dir.glob("v*"))
    assert len(versions) == len(list(REPO_MODELS.glob("v*"))) + 1
    # A model trained on 240 comments must not replace the shipped one unless not worse.
    assert ("made current" in result.output) == (current_version(model_dir) != before)


def test_train_without_a_database_schema_says_what_to_do(tmp_path):
    from commentsvc import create_app
    from tests.conftest import base_config

    empty = create_app(
        base_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}", MODEL_DIR=str(tmp_path / "m"))
    )
    result = empty.test_cli_runner().invoke(args=["model", "train", "--quick"])
    assert result.exit_code == 1
    assert "cannot read moderators' decisions" in result.output
    assert "--no-db" in result.output
