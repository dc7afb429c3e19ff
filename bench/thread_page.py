"""First page of a long thread against a short one: it must cost the same.

    python -m bench.thread_page                  # 20 vs 5,000 comments
    python -m bench.thread_page --long 20000     # bigger

Builds both threads in a fresh SQLite database (half top-level comments, half replies), then
times, in one run, the reader service ``get_thread_page`` (no cache: the three queries and the
tree) and the iframe page ``GET /embed/<site>`` through the test client with the thread cache
cleared before every request (what a reader gets on a cache miss). Prints medians and the
long/short ratio; queries per page are counted too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert

ORIGIN = "https://bench.example.fr"


def _fill(thread_id: int, count: int) -> None:
    """Insert ``count`` published comments fast: half roots, each with one reply."""
    from commentsvc.extensions import db
    from commentsvc.markup import render_markdown
    from commentsvc.models import Comment, Thread, utcnow

    now = utcnow()
    html = render_markdown("Très intéressant, *merci* pour cet article détaillé.")
    roots = max(1, count // 2)
    rows = [
        {
            "thread_id": thread_id,
            "author_name": f"Lectrice {n}",
            "author_email": f"l{n}@example.fr",
            "avatar_hash": f"{n:032x}",
            "body_source": "Très intéressant",
            "body_html": html,
            "status": "published",
            "created_at": now - timedelta(seconds=count - n),
            "depth": 0,
        }
        for n in range(roots)
    ]
    db.session.execute(insert(Comment), rows)
    ids = [
        cid for (cid,) in db.session.query(Comment.id).filter(Comment.thread_id == thread_id).all()
    ]
    db.session.query(Comment).filter(Comment.thread_id == thread_id).update(
        {Comment.root_id: Comment.id}
    )
    replies = [
        {**rows[i % roots], "parent_id": ids[i % roots], "root_id": ids[i % roots], "depth": 1}
        for i in range(count - roots)
    ]
    if replies:
        db.session.execute(insert(Comment), replies)
    db.session.query(Thread).filter(Thread.id == thread_id).update({Thread.published_count: count})
    db.session.commit()


def _median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _queries(engine, action: Callable[[], object]) -> int:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def run(short: int, long: int, repeat: int) -> list[tuple[str, float, float, int, int]]:
    from flask_migrate import upgrade

    from commentsvc import create_app
    from commentsvc.comments.services import get_thread_page
    from commentsvc.extensions import cache, db
    from commentsvc.models import Thread
    from commentsvc.sites import create_site

    tmp = Path(tempfile.mkdtemp(prefix="bench-thread-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "SECRET_KEY": "bench-secret-key-0123456789",
            "RATELIMIT_ENABLED": False,
            "CACHE_TYPE": "SimpleCache",
            "LOG_LEVEL": "WARNING",
        }
    )
    results = []
    with app.app_context():
        upgrade()
        site = create_site("bench", origins=[ORIGIN], mode="post")
        urls = {}
        for label, count in (("short", short), ("long", long)):
            thread = Thread(site_id=site.id, url=f"{ORIGIN}/{label}", title=label)
            db.session.add(thread)
            db.session.commit()
            _fill(thread.id, count)
            urls[label] = thread.url
        client = app.test_client()

        def service(label: str) -> Callable[[], object]:
            return lambda: get_thread_page(site, urls[label])

        def page(label: str) -> Callable[[], object]:
            def get() -> object:
                cache.clear()
                response = client.get("/embed/bench", query_string={"url": urls[label]})
                assert response.status_code == 200, response.status_code
                return response

            return get

        for name, make in (
            ("get_thread_page (service)", service),
            ("GET /embed (cache miss)", page),
        ):
            short_ms = _median_ms(make("short"), repeat)
            long_ms = _median_ms(make("long"), repeat)
            results.append(
                (
                    name,
                    short_ms,
                    long_ms,
                    _queries(db.engine, make("short")),
                    _queries(db.engine, make("long")),
                )
            )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20, help="comments in the short thread")
    parser.add_argument("--long", type=int, default=5000, help="comments in the long thread")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs per measure")
    args = parser.parse_args(argv)
    rows = run(args.short, args.long, args.repeat)
    print(f"First page (20 top-level comments and their replies): {args.short} vs {args.long}")
    print(f"{'measure':30} {'short ms':>9} {'long ms':>9} {'ratio':>6} {'queries':>9}")
    for name, short_ms, long_ms, short_q, long_q in rows:
        print(
            f"{name:30} {short_ms:9.2f} {long_ms:9.2f} {long_ms / short_ms:6.2f} "
            f"{short_q:>4}/{long_q:<4}"
        )


if __name__ == "__main__":
    main()
