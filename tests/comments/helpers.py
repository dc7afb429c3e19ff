"""Shared helpers for the reader-side tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from commentsvc.extensions import db
from commentsvc.models import Comment, Like, Report, Thread


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement run inside the block."""
    statements: list[str] = []

    def _record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)


def row_counts() -> tuple[int, int, int, int]:
    """(threads, comments, likes, reports): "nothing stored" is this staying the same."""
    db.session.rollback()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Thread, Comment, Like, Report)
    )
