"""Moderation queue speed at 100,000 queued comments (SQLite, one process).

Run: ``python -m bench.queue_speed [--rows N]``. Prints the median time of one queue page
(the listing query plus the cards' batched queries) on page 1 and deep in the queue, for the
keyset cursor the admin uses and for the OFFSET pagination it avoids, as ratios in one run;
and the whole ``/admin/queue`` HTML page through the test client.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from commentsvc import create_app
from commentsvc.extensions import db
from commentsvc.models import Comment, Status, utcnow
from commentsvc.moderation import queue

PASSWORD = "bench password 123"


def _median_ms(function: Callable[[], object], repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        function()
        times.append((time.perf_counter_ns() - started) / 1e6)
    return statistics.median(times)


def _seed(thread_id: int, rows: int) -> None:
    now = utcnow()
    statuses = [Status.PENDING] * 8 + [Status.SPAM, Status.PUBLISHED]
    batch = [
        {
            "thread_id": thread_id,
            "author_name": f"a{i % 500}",
            "author_email": f"a{i % 500}@example.fr",
            "body_source": f"commentaire {i}",
            "body_html": f"<p>commentaire {i}</p>",
            "status": statuses[i % len(statuses)],
            "created_at": now - timedelta(seconds=i),
            "spam_score": (i % 1000) / 1000,
            "ip_hash": f"ip{i % 300}",
        }
        for i in range(rows)
    ]
    db.session.execute(insert(Comment), batch)
    db.session.commit()


def _row(name: str, value: str, note: str = "") -> None:
    print(f"| {name:44} | {value:>12} | {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "bench-secret-key-0123456789",
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            run(app, args.rows)


def run(app, rows: int) -> None:
    from flask_migrate import upgrade

    from commentsvc.admin.accounts import create_moderator
    from commentsvc.models import Thread
    from commentsvc.sites import create_site

    upgrade()
    site = create_site("bench", origins=["https://news.example.fr"])
    thread = Thread(site_id=site.id, url="https://news.example.fr/a", title="A")
    db.session.add(thread)
    db.session.commit()
    started = time.perf_counter()
    _seed(thread.id, rows)
    print(f"seeded {rows} comments in {time.perf_counter() - started:.1f} s\n")
    moderator = create_moderator("bench@example.org", PASSWORD, sites=[site])

    def keyset_page(depth: int) -> Callable[[], object]:
        filters = queue.QueueFilters()
        for _ in range(depth):  # walk to the page once; the timing is of the last page only
            filters = queue.QueueFilters(
                cursor=queue.list_queue(filters, moderator=moderator).next_cursor
            )

        def page() -> object:
            found = queue.list_queue(filters, moderator=moderator)
            return queue.card_context(found.comments)

        return page

    def offset_page(depth: int) -> Callable[[], object]:
        def page() -> object:
            query = queue.queue_query(queue.QueueFilters(), moderator)
            found = list(db.session.scalars(query.offset(depth * queue.PAGE_SIZE).limit(25)))
            return queue.card_context(found)

        return page

    deep = max(1, int(rows * 0.8) // queue.PAGE_SIZE - 2)
    first = _median_ms(keyset_page(0))
    deep_keyset = _median_ms(keyset_page(deep))
    deep_offset = _median_ms(offset_page(deep))
    print(f"| {'queue page (25 cards, pending, newest first)':44} | {'median ms':>12} | ratio")
    print(f"|{'-' * 46}|{'-' * 14}|------")
    _row("page 1, keyset", f"{first:.2f}", "1.00")
    _row(f"page {deep + 1}, keyset (the admin)", f"{deep_keyset:.2f}", f"{deep_keyset / first:.2f}")
    _row(f"page {deep + 1}, OFFSET (avoided)", f"{deep_offset:.2f}", f"{deep_offset / first:.2f}")

    client = app.test_client()
    client.post("/admin/login", data={"email": "bench@example.org", "password": PASSWORD})
    http = _median_ms(lambda: client.get("/admin/queue"), repeat=10)
    _row("whole /admin/queue HTML page (test client)", f"{http:.2f}", f"{http / first:.2f}")


if __name__ == "__main__":
    main()
