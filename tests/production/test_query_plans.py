"""A thread's page reads its own index range whatever the database's statistics say."""

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, text

from commentsvc.comments import reading
from commentsvc.extensions import db
from commentsvc.models import Comment, utcnow
from tests.conftest import BACKEND
from tests.factories import make_site, make_thread

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="about SQLite's planner statistics")
ORIGIN = "https://plan.example.fr"


def _comments(thread_id: int, roots: int) -> None:
    """``roots`` published top-level comments, each with one reply (Core, fast)."""
    now = utcnow()
    row = {
        "thread_id": thread_id,
        "author_name": "Lectrice",
        "author_email": "l@example.fr",
        "avatar_hash": "0" * 32,
        "body_source": "Avis",
        "body_html": "<p>Avis</p>",
        "status": "published",
        "depth": 0,
    }
    db.session.execute(
        insert(Comment), [{**row, "created_at": now - timedelta(seconds=n)} for n in range(roots)]
    )
    ids = db.session.scalars(
        text("SELECT id FROM comments WHERE thread_id = :t AND depth = 0"), {"t": thread_id}
    ).all()
    db.session.execute(
        text("UPDATE comments SET root_id = id WHERE thread_id = :t"), {"t": thread_id}
    )
    replies = [{**row, "parent_id": i, "root_id": i, "depth": 1, "created_at": now} for i in ids]
    db.session.execute(insert(Comment), replies)
    db.session.commit()


def test_top_level_comments_are_read_through_the_thread_index_not_the_parent_one(app) -> None:
    site = make_site("plan", origins=[ORIGIN])
    small = make_thread(site, f"{ORIGIN}/petit")
    _comments(small.id, 20)
    # Many top-level comments elsewhere: "parent_id IS NULL" matches all of them, while the
    # statistics (which ignore NULLs) say a parent value picks one or two rows.
    _comments(make_thread(site, f"{ORIGIN}/grand").id, 3000)
    db.session.execute(text("ANALYZE"))
    statements: list[tuple] = []

    def _capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _capture)
    try:
        page = reading.get_thread_page(site, small.url)
    finally:
        event.remove(db.engine, "before_cursor_execute", _capture)
    assert len(page.comments) == 20
    statement, parameters = next((s, p) for s, p in statements if "UNION ALL" in s)
    plan = " | ".join(
        row[3]
        for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
    )
    assert "ix_comments_parent_id" not in plan, plan
    assert "ix_comments_thread_status" in plan, plan
