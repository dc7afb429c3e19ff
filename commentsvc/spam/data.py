"""Labelled comments: the CSV format of the YouTube Spam Collection, read strictly."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from commentsvc.spam.base import CommentText
from commentsvc.spam.pages import page_key

REQUIRED = ("CONTENT", "CLASS")
# Beside data files, optional: which page (video, article) each file's comments were posted
# under, ``FILE,PAGE_URL`` per line. The files themselves stay as published; a ``PAGE_URL``
# column in a data file, where filled in, wins over it.
PAGES_FILE = "pages.csv"
# Where the bundled data lives, relative to the repository.
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
BUNDLED_DIR = DATA_DIR / "youtube-spam-collection"
FRENCH_FILE = DATA_DIR / "french" / "comments-fr.csv"


class DataError(Exception):
    """A data file that cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class LabelledComment:
    text: CommentText
    label: int  # 1 = spam
    group: str  # source file (or "moderators"): the unit of grouped cross-validation
    line: int = 0


@dataclass(frozen=True)
class Dataset:
    items: tuple[LabelledComment, ...]
    # name -> SHA-256 of each source file, for the model card
    sources: dict[str, str]

    @property
    def texts(self) -> list[CommentText]:
        return [item.text for item in self.items]

    @property
    def labels(self) -> list[int]:
        return [item.label for item in self.items]

    @property
    def groups(self) -> list[str]:
        return [item.group for item in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def plus(self, other: Dataset) -> Dataset:
        return Dataset(self.items + other.items, {**self.sources, **other.sources})


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _label(value: str, where: str) -> int:
    value = (value or "").strip()
    if value not in ("0", "1"):
        raise DataError(f"{where}: CLASS must be 0 or 1, got {value!r}")
    return int(value)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not UTF-8 ({exc.reason})") from exc


def _page_url(value: str, where: str) -> str:
    value = (value or "").strip()
    if value and not page_key(value):
        raise DataError(f"{where}: PAGE_URL is not a page address: {value[:80]!r}")
    return value


def read_pages(path: Path) -> dict[str, str]:
    """A ``pages.csv`` sidecar: data file name → page URL; every file it names must exist."""
    reader = csv.DictReader(_read_text(path).splitlines(keepends=True), strict=True)
    missing = [name for name in ("FILE", "PAGE_URL") if name not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
    pages: dict[str, str] = {}
    try:
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if None in row or None in row.values():
                raise DataError(f"{where}: wrong number of fields")
            name = row["FILE"].strip()
            if not name or "/" in name or not (path.parent / name).is_file():
                raise DataError(f"{where}: no data file {name!r} beside {path.name}")
            if name in pages:
                raise DataError(f"{where}: {name} named twice")
            pages[name] = _page_url(row["PAGE_URL"], where)
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: {exc}") from exc
    return pages


def load_csv(path: str | Path) -> Dataset:
    """One CSV file (UTF-8, quoted multi-line fields); ``CONTENT`` and ``CLASS`` required.

    The page of its comments comes from a ``PAGE_URL`` column, else from ``pages.csv`` beside it.
    """
    path = Path(path)
    text = _read_text(path)
    sources: dict[str, str] = {}
    sidecar = path.parent / PAGES_FILE
    file_page = ""
    if sidecar.is_file() and path.name != PAGES_FILE:
        file_page = read_pages(sidecar).get(path.name, "")
        sources[f"{path.parent.name}/{PAGES_FILE}"] = sha256_file(sidecar)
    reader = csv.DictReader(text.splitlines(keepends=True), strict=True)
    missing = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
    items = []
    try:
        for row in reader:
            if None in row or None in row.values():
                raise DataError(f"{path}:{reader.line_num}: wrong number of fields")
            # The line where this record started (records can span several lines).
            start = reader.line_num - sum(value.count("\n") for value in row.values())
            where = f"{path}:{start}"
            comment = CommentText(
                body=row["CONTENT"],
                author=row.get("AUTHOR") or "",
                website=row.get("WEBSITE") or "",
                email=row.get("EMAIL") or "",
                page_url=_page_url(row.get("PAGE_URL") or "", where) or file_page,
            )
            items.append(LabelledComment(comment, _label(row["CLASS"], where), path.name, start))
    except csv.Error as exc:
        raise DataError(f"{path}:{reader.line_num}: {exc}") from exc
    if not items:
        raise DataError(f"{path}: no rows")
    return Dataset(tuple(items), {path.name: sha256_file(path), **sources})


def load_csvs(paths: Iterable[str | Path]) -> Dataset:
    """Several files, each its own group; a directory means every ``*.csv`` in it."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(file for file in sorted(path.glob("*.csv")) if file.name != PAGES_FILE)
        else:
            files.append(path)
    if not files:
        raise DataError("no CSV file given")
    names = [file.name for file in files]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise DataError(f"two files share a name (groups must differ): {', '.join(duplicates)}")
    dataset = Dataset((), {})
    for file in files:
        dataset = dataset.plus(load_csv(file))
    return dataset


def bundled_files() -> Sequence[Path]:
    return sorted(path for path in BUNDLED_DIR.glob("*.csv") if path.name != PAGES_FILE)
