"""Seed a benchmark database with bulk inserts: a million comments in minutes, not hours.

    python -m bench.seed --database sqlite:////tmp/bench.sqlite3 --comments 1000000 --threads 10000
    python -m bench.seed --database postgresql://postgres@127.0.0.1/bench --comments 10000

Site ``bench`` (mode auto, French) gets threads with exactly 10, 100 and 1,000 published
comments (``/t10``, ``/t100``, ``/t1000``, the pages the benchmark reads), an empty ``/post``
thread for the write benchmark, and filler threads up to the requested totals, a share of
whose comments are pending (the moderation queue). Rows go in through SQLAlchemy Core
``executemany`` in batches (PostgreSQL: ``COPY``), bodies rendered once per distinct text.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

ORIGIN = "https://bench.example.org"
SITE = "bench"
TARGETS = (10, 100, 1000)
MODERATOR = "bench@example.org"
MODERATOR_PASSWORD = "bench password 123"
BATCH = 20_000
BODIES = [
    "Merci pour cet article très clair, j'ai enfin compris le principe.",
    "Je ne suis pas d'accord : la **deuxième partie** mériterait des sources.",
    "Quelqu'un a testé sur une vraie base de production ? Les chiffres m'intéressent.",
    "> la performance dépend surtout des index\n\nExactement, et du cache.",
    "Très bon résumé. Petite coquille au troisième paragraphe (*leur* → *leurs*).",
    "Voir aussi la documentation officielle, qui détaille les limites : https://example.org/doc",
    "Article intéressant, mais le titre est un peu trompeur à mon avis.",
    "J'utilise cette méthode depuis deux ans, aucun souci en production.",
]
AUTHORS = ["Camille", "Dominique", "Alex", "Sacha", "Claude", "Maxime", "Lou", "Noa"]


@dataclass(frozen=True)
class Plan:
    comments: int
    threads: int
    pending: int


def url(path: str) -> str:
    return f"{ORIGIN}{path}"


def filler_sizes(plan: Plan) -> list[int]:
    """Sizes of the filler threads: the rest of the comments spread over the rest of threads."""
    rest = plan.comments - sum(TARGETS)
    count = max(1, plan.threads - len(TARGETS) - 1)
    base, extra = divmod(max(0, rest), count)
    return [base + (1 if i < extra else 0) for i in range(count)]


class Seeder:
    """Writes the rows; ids are assigned here so that replies can name their roots."""

    def __init__(self, app: Any, site_id: int) -> None:
        from commentsvc.extensions import db
        from commentsvc.identity import avatar_seed
        from commentsvc.markup import render_markdown
        from commentsvc.models import Comment, Thread, utcnow

        self.db = db
        self.comments = Comment.__table__
        self.threads = Thread.__table__
        self.site_id = site_id
        self.now = utcnow()
        self.rendered = [(body, render_markdown(body)) for body in BODIES]
        self.avatar_seed = avatar_seed
        # Readers come back, but there are many of them: one author per 20 comments, as the
        # query planner would see on a real site (8 authors would make e-mails look useless).
        self.authors: dict[int, tuple[str, str, str, str]] = {}
        self.next_comment = 1 + (db.session.scalar(db.select(db.func.max(Comment.id))) or 0)
        self.next_thread = 1 + (db.session.scalar(db.select(db.func.max(Thread.id))) or 0)
        self.pending_left = 0
        self.random = random.Random(42)
        self.buffer: list[dict[str, Any]] = []
        self.written = 0

    def thread(self, path: str, size: int, *, pending: int = 0) -> None:
        """One thread of ``size`` comments, a third top-level, the rest replies (2 levels)."""
        thread_id = self.next_thread
        self.next_thread += 1
        rows = list(self._comments(thread_id, size, pending))
        published = sum(1 for row in rows if row["status"] == "published")
        self.db.session.execute(
            self.threads.insert(),
            [
                {
                    "id": thread_id,
                    "site_id": self.site_id,
                    "url": url(path),
                    "title": f"Article {path}",
                    "closed": False,
                    "created_at": self.now - timedelta(days=30),
                    "published_count": published,
                    "version": 1,
                }
            ],
        )
        self.buffer.extend(rows)
        if len(self.buffer) >= BATCH:
            self.flush()

    def author(self, comment_id: int) -> tuple[str, str, str, str]:
        """(name, e-mail, avatar seed, hashed IP) of the comment's author."""
        number = self.random.randrange(max(50, self.next_comment // 20))
        found = self.authors.get(number)
        if found is None:
            name = f"{AUTHORS[number % len(AUTHORS)]} {number}"
            email = f"lecteur{number}@example.fr"
            ip_hash = f"{number:064x}"
            found = (name, email, self.avatar_seed(email, name), ip_hash)
            self.authors[number] = found
        return found

    def _comments(self, thread_id: int, size: int, pending: int) -> Iterator[dict[str, Any]]:
        start = self.now - timedelta(days=29)
        step = timedelta(days=28) / max(size, 1)
        roots: list[int] = []
        for n in range(size):
            comment_id = self.next_comment
            self.next_comment += 1
            is_root = not roots or n % 3 == 0
            parent = None if is_root else self.random.choice(roots[-20:])
            body, html = self.rendered[comment_id % len(self.rendered)]
            name, email, avatar, ip_hash = self.author(comment_id)
            yield {
                "id": comment_id,
                "thread_id": thread_id,
                "parent_id": parent,
                "root_id": comment_id if is_root else parent,
                "depth": 0 if is_root else 1,
                "author_name": name,
                "author_email": email,
                "avatar_hash": avatar,
                "ip_hash": ip_hash,
                "body_source": body,
                "body_html": html,
                "status": "pending" if n < pending else "published",
                "created_at": start + step * n,
                "status_changed_at": start + step * n,
                "spam_score": 0.02 if n >= pending else 0.6,
                "spam_reasons": [],
                "rule_reasons": [],
                "likes_count": comment_id % 7,
                "model_version": "bench",
            }
            if is_root:
                roots.append(comment_id)

    def flush(self) -> None:
        if self.buffer:
            self.db.session.execute(self.comments.insert(), self.buffer)
            self.db.session.commit()
            self.written += len(self.buffer)
            self.buffer = []


def seed(database_url: str, plan: Plan, *, progress: bool = True) -> dict[str, float]:
    """Create (or recreate) the benchmark database described by ``plan``; returns timings."""
    from flask_migrate import upgrade

    from commentsvc import create_app
    from commentsvc.extensions import db
    from commentsvc.sites import create_site

    started = time.perf_counter()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "TESTING": False,
        }
    )
    with app.app_context():
        _empty(db, database_url)
        upgrade()
        site = create_site(SITE, origins=[ORIGIN], mode="auto", lang="fr")
        from commentsvc.admin.accounts import create_moderator

        create_moderator(MODERATOR, MODERATOR_PASSWORD, is_admin=True, sites=[site])
        seeder = Seeder(app, site.id)
        for size in TARGETS:
            seeder.thread(f"/t{size}", size)
        seeder.thread("/post", 0)
        sizes = filler_sizes(plan)
        pending_each = plan.pending // max(1, len(sizes))
        for n, size in enumerate(sizes):
            seeder.thread(f"/filler/{n}", size, pending=min(size, pending_each))
            if progress and n % 500 == 0:
                _progress(seeder.written + len(seeder.buffer), plan.comments, started)
        seeder.flush()
        _analyze(db)
        if progress:
            _progress(seeder.written, plan.comments, started)
            print(file=sys.stderr)
        db.session.remove()
        db.engine.dispose()
    return {"seconds": time.perf_counter() - started, "comments": seeder.written}


def _empty(db: Any, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        from pathlib import Path

        path = Path(database_url.split("sqlite:///", 1)[1])
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


def _analyze(db: Any) -> None:
    # Fresh statistics, as a real database would have: the planner picks the real indexes.
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Rows were written with their ids: move the sequences past them.
            for table in ("threads", "comments"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.exec_driver_sql("ANALYZE")


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0
    print(
        f"\rseeding: {done:>9,} / {total:,} comments  {rate:,.0f}/s  {elapsed:5.0f} s",
        end="",
        file=sys.stderr,
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL; it is emptied first")
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--pending", type=int, default=0, help="pending comments (the queue)")
    args = parser.parse_args(argv)
    result = seed(args.database, Plan(args.comments, args.threads, args.pending))
    print(f"{result['comments']:,} comments in {result['seconds']:.1f} s")


if __name__ == "__main__":
    main()
