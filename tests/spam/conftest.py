"""A small model trained once per session (one configuration, the bundled data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from commentsvc.spam.data import bundled_files, load_csvs
from commentsvc.spam.model import LinearSpamModel
from commentsvc.spam.pipeline import DEFAULT_CONFIG
from commentsvc.spam.training import TrainResult, train


@pytest.fixture(scope="session")
def bundled():
    return load_csvs(bundled_files())


@pytest.fixture(scope="session")
def trained(bundled) -> TrainResult:
    return train(bundled, seed=0, candidates=(DEFAULT_CONFIG,))


@pytest.fixture(scope="session")
def model(trained: TrainResult) -> LinearSpamModel:
    return LinearSpamModel(
        trained.pipeline,
        version="test",
        thresholds=trained.thresholds,
        meta_baseline=trained.meta_baseline,
    )


def write_csv(path: Path, rows: list[tuple[str, int]], header: str = "CONTENT,CLASS") -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        for row in rows:
            writer.writerow(row)
    return path
