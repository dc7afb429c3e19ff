"""Model versions on disk: ``<dir>/<version>/{model.skops,card.json,card.md}`` and ``CURRENT``.

A version is never overwritten. Loading refuses a file whose SHA-256 differs from its card, one
made with another scikit-learn minor version, and one holding types outside ``TRUSTED_TYPES``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sklearn
import skops.io as sio

from commentsvc.spam.base import Thresholds
from commentsvc.spam.data import sha256_file
from commentsvc.spam.model import LinearSpamModel

CURRENT = "CURRENT"
MODEL_FILE = "model.skops"
CARD_JSON = "card.json"
CARD_MD = "card.md"
# Our own classes and the two private calibration classes skops does not trust by default;
# everything else in the file must be a type skops already trusts.
TRUSTED_TYPES = (
    "commentsvc.spam.features.MetaOf",
    "commentsvc.spam.features.Prepare",
    "commentsvc.spam.features.TextOf",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)
_VERSION_RE = re.compile(r"^v(\d+)-[0-9]{8}$")


class ModelError(Exception):
    """A model that cannot be used; the message says why in one line."""


@dataclass(frozen=True)
class VersionInfo:
    version: str
    card: dict[str, Any]
    current: bool


def minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _write_atomic(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(text)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)


def next_version(model_dir: Path, today: str) -> str:
    numbers = [
        int(match.group(1))
        for path in model_dir.glob("v*")
        if (match := _VERSION_RE.match(path.name))
    ]
    return f"v{max(numbers, default=0) + 1}-{today}"


def save(pipeline: Any, card: dict[str, Any], model_dir: Path, version: str) -> Path:
    """Write a new version (model, JSON and Markdown card); refuses to overwrite one."""
    folder = model_dir / version
    folder.mkdir(parents=True, exist_ok=False)
    model_path = folder / MODEL_FILE
    sio.dump(pipeline, model_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    unexpected = sorted(set(sio.get_untrusted_types(file=model_path)) - set(TRUSTED_TYPES))
    if unexpected:
        raise ModelError(f"the model holds types not in TRUSTED_TYPES: {', '.join(unexpected)}")
    card = {
        **card,
        "version": version,
        "model_file": MODEL_FILE,
        "model_sha256": sha256_file(model_path),
        "model_bytes": model_path.stat().st_size,
        "sklearn_version": sklearn.__version__,
        "skops_version": _skops_version(),
        "trusted_types": list(TRUSTED_TYPES),
    }
    write_card(folder, card)
    return folder


def write_card(folder: Path, card: dict[str, Any]) -> None:
    from commentsvc.spam.card import render_markdown

    _write_atomic(folder / CARD_JSON, json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    _write_atomic(folder / CARD_MD, render_markdown(card))


def _skops_version() -> str:
    from importlib.metadata import version

    return version("skops")


def read_card(folder: Path) -> dict[str, Any]:
    path = folder / CARD_JSON
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no model card") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable model card ({exc})") from exc
    if not isinstance(card, dict) or "model_sha256" not in card or "thresholds" not in card:
        raise ModelError(f"{path}: not a model card")
    return card


def current_version(model_dir: Path) -> str | None:
    try:
        name = (model_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def set_current(model_dir: Path, version: str) -> None:
    _write_atomic(model_dir / CURRENT, version + "\n")


def load(folder: Path) -> LinearSpamModel:
    """Verify then load one version; raises ``ModelError`` with the reason it is refused."""
    card = read_card(folder)
    path = folder / card.get("model_file", MODEL_FILE)
    if not path.is_file():
        raise ModelError(f"{path}: model file missing")
    if sha256_file(path) != card["model_sha256"]:
        raise ModelError(f"{path}: SHA-256 does not match its model card (file altered?)")
    made_with = str(card.get("sklearn_version", "?"))
    if minor(made_with) != minor(sklearn.__version__):
        raise ModelError(
            f"{path}: made with scikit-learn {made_with}, this is {sklearn.__version__}; "
            "retrain with `commentsvc model train`"
        )
    try:
        unexpected = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelError(f"{path}: holds untrusted types {', '.join(unexpected)}")
        pipeline = sio.load(path, trusted=list(TRUSTED_TYPES))
        thresholds = Thresholds(**{k: float(card["thresholds"][k]) for k in ("hold", "spam")})
        return LinearSpamModel(
            pipeline,
            version=str(card["version"]),
            thresholds=thresholds,
            meta_baseline=card.get("meta_baseline"),
        )
    except ModelError:
        raise
    except Exception as exc:  # a corrupt file can fail in many ways; all mean "unusable"
        raise ModelError(f"{path}: cannot load ({type(exc).__name__}: {exc})") from exc


def load_current(model_dir: Path) -> LinearSpamModel:
    """The version named by ``CURRENT``."""
    version = current_version(model_dir)
    if version is None:
        raise ModelError(f"{model_dir}: no current model (run `commentsvc model train`)")
    return load(model_dir / version)


def list_versions(model_dir: Path) -> list[VersionInfo]:
    current = current_version(model_dir)
    found = []
    for folder in sorted(model_dir.glob("v*"), key=lambda p: _sort_key(p.name)):
        if folder.is_dir() and _VERSION_RE.match(folder.name):
            try:
                card = read_card(folder)
            except ModelError as exc:
                card = {"problem": str(exc)}
            found.append(VersionInfo(folder.name, card, folder.name == current))
    return found


def _sort_key(name: str) -> int:
    match = _VERSION_RE.match(name)
    return int(match.group(1)) if match else 0
