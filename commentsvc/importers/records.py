"""What parsers yield and the writer stores: source-neutral threads and comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ImportFileError(Exception):
    """The file is wrong; the message names the element or line, for the operator."""


@dataclass(frozen=True)
class ThreadRecord:
    source_id: str
    url: str
    title: str = ""
    closed: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class CommentRecord:
    source_id: str
    thread_source_id: str
    parent_source_id: str | None
    body: str  # Markdown source (parsers turn HTML sources into it)
    status: str
    created_at: datetime
    author_name: str = ""
    author_email: str | None = None
    author_website: str | None = None
    ip: str | None = None  # raw address from the source: hashed before it is stored
    ip_hash: str | None = None  # already hashed (our own export)
    extra: dict[str, Any] = field(default_factory=dict)  # further Comment columns (JSON import)


@dataclass(frozen=True)
class Skipped:
    """Something a parser deliberately left out (a pingback, a trackback), counted by kind."""

    kind: str


@dataclass
class ImportReport:
    threads_created: int = 0
    threads_reused: int = 0
    comments_created: int = 0
    comments_already_there: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    orphans: int = 0
    # Pages outside the site's origins: readers will never reach them (a forgotten --map-url?).
    foreign_threads: int = 0
    foreign_example: str = ""
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The summary the command prints."""
        verb = "would import" if self.dry_run else "imported"
        out = [
            f"{verb} {self.comments_created} comments in {self.threads_created} new and "
            f"{self.threads_reused} existing threads",
            f"already there (skipped): {self.comments_already_there}",
        ]
        if self.by_status:
            out.append(
                "by status: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_status.items()))
            )
        for kind, n in sorted(self.skipped.items()):
            out.append(f"skipped {kind}: {n}")
        if self.foreign_threads:
            out.append(
                f"warning: {self.foreign_threads} pages are outside the site's origins "
                f"(e.g. {self.foreign_example}); rewrite them with --map-url OLD=NEW"
            )
        if self.orphans:
            out.append(f"replies whose parent was missing, kept at top level: {self.orphans}")
        return out
