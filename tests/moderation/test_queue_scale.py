"""The queue stays fast with 100,000 items: pages use an index (no sort, no scan) and a page
costs the same number of queries whatever its size. Checked through the query plan and
query counts, not timings."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from commentsvc.extensions import db
from commentsvc.models import Comment, Status, utcnow
from commentsvc.moderation import queue
from tests.admin.conftest import login
from tests.factories import make_comment, make_moderator, make_site, make_thread

N = 100_000


@contextmanager
def captured():
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def seed(thread, n: int) -> None:
    now = utcnow()
    statuses = [Status.PENDING] * 8 + [Status.SPAM, Status.PUBLISHED]
    rows = [
        {
            "thread_id": thread.id,
            "author_name": f"a{i % 500}",
            "author_email": f"a{i % 500}@example.fr",
            "body_source": f"commentaire {i}",
            "body_html": f"<p>commentaire {i}</p>",
            "status": statuses[i % len(statuses)],
            "created_at": now - timedelta(seconds=i),
            "spam_score": (i % 1000) / 1000,
            "reports_count": i % 4,
            "ip_hash": f"ip{i % 300}",
        }
        for i in range(n)
    ]
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def plan(statement: str, parameters) -> str:
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = db.session.connection().exec_driver_sql(prefix + statement, parameters)
    return "\n".join(str(row[-1]) for row in rows)


def check_plan(text: str) -> None:
    """The page is read along one of the queue's indexes, seeking to the cursor; no sort."""
    if db.engine.dialect.name == "sqlite":
        assert "USE TEMP B-TREE FOR ORDER BY" not in text, text
        assert "INDEX ix_comments_status_" in text, text
        assert re.search(r"status=\? AND \w+[<>]\?", text), text
        return
    assert re.search(r"Index Scan( Backward)? using ix_comments_status_", text), text
    assert "Sort" not in text, text
    assert re.search(r"Index Cond: .*status.*(created_at|spam_score|reports_count)", text), text


@pytest.fixture
def big_queue(app):
    site = make_site("grand")
    thread = make_thread(site)
    seed(thread, N)
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics, as autovacuum would have after a real day of comments.
        db.session.connection().exec_driver_sql("ANALYZE comments")
        db.session.commit()
    return site, thread, make_moderator("m@example.org", sites=[site])


def _check_sort(site, moderator, sort: str) -> None:
    first = queue.list_queue(queue.QueueFilters(sort=sort, site=site.name), moderator=moderator)
    assert len(first.comments) == queue.PAGE_SIZE and first.next_cursor
    filters = queue.QueueFilters(sort=sort, site=site.name, cursor=first.next_cursor)
    with captured() as statements:
        second = queue.list_queue(filters, moderator=moderator)
    assert len(second.comments) == queue.PAGE_SIZE
    assert not {c.id for c in first.comments} & {c.id for c in second.comments}
    listing = [s for s in statements if "FROM comments" in s[0] and "LIMIT" in s[0]]
    assert listing, statements
    for statement, parameters in listing:
        check_plan(plan(statement, parameters))


@pytest.mark.slow
def test_queue_at_100k_uses_indexes_and_a_fixed_number_of_queries(big_queue, client) -> None:
    site, _thread, moderator = big_queue
    for sort in ("newest", "oldest", "score", "reports"):
        _check_sort(site, moderator, sort)
    login(client, moderator)
    with captured() as statements:
        response = client.get("/admin/queue")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="card ') == queue.PAGE_SIZE
    assert len(statements) < 20


def test_queries_per_page_do_not_grow_with_the_page_size(app) -> None:
    site = make_site()
    moderator = make_moderator("m@example.org", sites=[site])
    thread = make_thread(site)
    for i in range(30):
        make_comment(
            thread, f"c{i}", status=Status.PENDING, author_email=f"p{i}@b.fr", ip_hash=f"h{i}"
        )

    def count(limit: int) -> int:
        db.session.expire_all()
        with captured() as statements:
            page = queue.list_queue(queue.QueueFilters(limit=limit), moderator=moderator)
            queue.card_context(page.comments)
        assert len(page.comments) == limit
        return len(statements)

    count(25)  # warm-up: the moderator's sites are loaded once per request
    assert count(3) == count(25)


def test_tab_counts_never_count_published_comments_one_by_one(app) -> None:
    site = make_site()
    other = make_site("autre", origins=["https://autre.example.fr"])
    moderator = make_moderator("m@example.org", sites=[site])
    thread = make_thread(site)
    for i in range(3):
        make_comment(thread, f"publié {i}")
    make_comment(thread, "en attente", status=Status.PENDING)
    make_comment(make_thread(other, "https://autre.example.fr/a"), "ailleurs")
    with captured() as statements:
        counts = queue.tab_counts(moderator)
    assert counts["published"] == 3 and counts["pending"] == 1
    # Published comments are most of a site: their figure comes from the threads' counts.
    for statement, parameters in statements:
        if "FROM comments" in statement:
            assert "published" not in repr(parameters), (statement, parameters)
