"""No usable spam model (missing or corrupt file): every new comment is held for review.

The app is built from a copy of the shipped model directory, damaged in each way an operator
could meet, and a comment is posted through the API of a site in ``auto`` mode.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from commentsvc import create_app
from commentsvc.comments.services import NewComment, Reader, post_comment
from commentsvc.extensions import db
from commentsvc.models import Comment, Status
from commentsvc.spam.base import FailSafeModel
from tests.conftest import base_config
from tests.factories import make_site

SHIPPED = Path(__file__).resolve().parents[2] / "ml_models"


def _version_dir(model_dir: Path) -> Path:
    return model_dir / (model_dir / "CURRENT").read_text().strip()


def _missing_file(model_dir: Path) -> None:
    (_version_dir(model_dir) / "model.skops").unlink()


def _altered_file(model_dir: Path) -> None:
    path = _version_dir(model_dir) / "model.skops"
    path.write_bytes(path.read_bytes()[:-100] + b"\x00" * 100)


def _garbage_with_matching_card(model_dir: Path) -> None:
    # Corrupt yet consistent with its card: only loading it can tell.
    folder = _version_dir(model_dir)
    (folder / "model.skops").write_bytes(b"PK\x03\x04 this is not a model")
    card = json.loads((folder / "card.json").read_text())
    card["model_sha256"] = hashlib.sha256((folder / "model.skops").read_bytes()).hexdigest()
    (folder / "card.json").write_text(json.dumps(card))


def _no_current(model_dir: Path) -> None:
    (model_dir / "CURRENT").unlink()


DAMAGES: dict[str, Callable[[Path], None]] = {
    "model file missing": _missing_file,
    "model file altered": _altered_file,
    "model file corrupt": _garbage_with_matching_card,
    "no current model": _no_current,
}


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    if not (SHIPPED / "CURRENT").exists():
        pytest.skip("no shipped model in ml_models/ to damage")
    target = tmp_path / "ml_models"
    shutil.copytree(SHIPPED, target)
    return target


@pytest.fixture
def app_with_models(database_url: str, model_dir: Path) -> Iterator[Callable[[], Flask]]:
    """Builds the app from ``model_dir`` as it is when called; closes its connections after."""
    built: list[Flask] = []

    def build() -> Flask:
        built.append(
            create_app(base_config(database_url, SPAM_MODEL=None, MODEL_DIR=str(model_dir)))
        )
        return built[-1]

    yield build
    for served in built:
        with served.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_model_holds_every_comment(
    app: Flask, app_with_models, model_dir: Path, damage: str
) -> None:
    DAMAGES[damage](model_dir)
    served = app_with_models()
    assert served.extensions["spam_model"].usable is False
    make_site("guarded", origins=["https://guarded.example"], mode="auto", min_seconds=0)
    client = served.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "model" in ready.get_json()["problems"]
    answer = client.post(
        "/api/v1/sites/guarded/comments",
        json={
            "url": "https://guarded.example/a",
            "author": "Ana",
            "email": "ana@example.org",
            "body": "Bonjour, merci pour cet article",
        },
    )
    assert answer.status_code == 202
    assert answer.get_json()["status"] == "pending"
    db.session.rollback()
    assert db.session.get(Comment, answer.get_json()["comment"]["id"]).status == Status.PENDING


def test_the_intact_copy_loads(app: Flask, app_with_models) -> None:
    # The damage, not the copying, is what the cases above test.
    served = app_with_models()
    assert served.extensions["spam_model"].usable


def test_fail_safe_model_holds_every_comment(app) -> None:
    site = make_site("failsafe", origins=["https://fs.example"], mode="auto")
    posted = post_comment(
        site,
        NewComment(
            url="https://fs.example/a", body="Bonjour à tous", author="Ana", email="a@example.org"
        ),
        reader=Reader(ip="192.0.2.3"),
        spam_model=FailSafeModel("model file missing"),
    )
    assert posted.comment.status == Status.PENDING
    assert posted.comment.thread.published_count == 0
