"""Saving and loading versions: hashes, library versions, trusted types, the fail-safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commentsvc.spam.base import CommentText, FailSafeModel
from commentsvc.spam.card import build_card
from commentsvc.spam.model import LinearSpamModel
from commentsvc.spam.store import (
    ModelError,
    list_versions,
    load,
    load_current,
    next_version,
    save,
    set_current,
)


@pytest.fixture(scope="module")
def saved(tmp_path_factory, trained, bundled) -> Path:
    model_dir = tmp_path_factory.mktemp("models")
    card = build_card(trained, bundled, seed=0)
    save(trained.pipeline, card, model_dir, "v1-20260101")
    set_current(model_dir, "v1-20260101")
    return model_dir


def copy_of(saved: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "models"
    shutil.copytree(saved, target)
    return target


def test_round_trip_scores_the_same(saved, model):
    loaded = load_current(saved)
    assert isinstance(loaded, LinearSpamModel)
    assert loaded.version == "v1-20260101"
    assert loaded.default_thresholds == model.default_thresholds
    text = CommentText("check out my channel http://x.com")
    assert loaded.score(text).probability == pytest.approx(model.score(text).probability)
    card = json.loads((saved / "v1-20260101" / "card.json").read_text())
    assert card["model_bytes"] < 5 * 1024 * 1024
    assert card["trusted_types"]
    assert "# Spam model v1-20260101" in (saved / "v1-20260101" / "card.md").read_text()


def test_versions_never_overwritten(saved, trained, bundled):
    with pytest.raises(FileExistsError):
        save(trained.pipeline, build_card(trained, bundled, seed=0), saved, "v1-20260101")
    assert next_version(saved, "20260102") == "v2-20260102"


def test_tampered_file_is_refused(saved, tmp_path):
    model_dir = copy_of(saved, tmp_path)
    path = model_dir / "v1-20260101" / "model.skops"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 does not match"):
        load_current(model_dir)


def test_other_sklearn_minor_version_is_refused(saved, tmp_path):
    model_dir = copy_of(saved, tmp_path)
    card_path = model_dir / "v1-20260101" / "card.json"
    card = json.loads(card_path.read_text())
    card["sklearn_version"] = "0.99.0"
    card_path.write_text(json.dumps(card))
    with pytest.raises(ModelError, match=r"made with scikit-learn 0\.99\.0"):
        load_current(model_dir)


def test_untrusted_types_are_refused(saved, tmp_path, monkeypatch):
    import commentsvc.spam.store as store

    model_dir = copy_of(saved, tmp_path)
    # As if our own transformer were not on the list: the file must not load.
    monkeypatch.setattr(store, "TRUSTED_TYPES", store.TRUSTED_TYPES[1:])
    with pytest.raises(ModelError, match=r"untrusted types commentsvc\.spam\.features\.MetaOf"):
        load(model_dir / "v1-20260101")


def test_missing_pieces(tmp_path, saved):
    with pytest.raises(ModelError, match="no current model"):
        load_current(tmp_path)
    model_dir = copy_of(saved, tmp_path)
    (model_dir / "v1-20260101" / "model.skops").unlink()
    with pytest.raises(ModelError, match="model file missing"):
        load_current(model_dir)
    assert [info.version for info in list_versions(model_dir)] == ["v1-20260101"]


@pytest.fixture
def app_config(request, tmp_path, saved):
    """Per test: no injected model, MODEL_DIR as the test asks."""
    kind = getattr(request, "param", "good")
    model_dir = copy_of(saved, tmp_path)
    if kind == "tampered":
        (model_dir / "v1-20260101" / "model.skops").write_bytes(b"not a model")
    return {"SPAM_MODEL": None, "MODEL_DIR": str(model_dir)}


def loaded_model(app):
    """The model the app loaded (metrics wrap it to time every score)."""
    model = app.extensions["spam_model"]
    return getattr(model, "wrapped", model)


def test_app_loads_the_current_model_once(app, client):
    model = loaded_model(app)
    assert isinstance(model, LinearSpamModel)
    assert model.version == "v1-20260101"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["model"] == "v1-20260101"


@pytest.mark.parametrize("app_config", ["tampered"], indirect=True)
def test_app_falls_back_to_fail_safe_and_readyz_says_why(app, client):
    model = loaded_model(app)
    assert isinstance(model, FailSafeModel)
    assert "SHA-256 does not match" in model.problem
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "SHA-256 does not match" in response.get_json()["problems"]["model"]
