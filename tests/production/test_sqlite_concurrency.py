"""The embedded default: several processes posting at once on one SQLite file never fail."""

import multiprocessing
import threading
import time
import traceback

import pytest
from sqlalchemy import func, select

from commentsvc import create_app
from commentsvc.comments.services import NewComment, Reader, post_comment
from commentsvc.database import write_transaction
from commentsvc.extensions import db as _db
from commentsvc.models import Comment, Thread
from commentsvc.sites import get_site
from tests.conftest import BACKEND, base_config
from tests.factories import make_site
from tests.fakes import FixedSpamModel

PROCESSES = 4
POSTS_EACH = 15
URL = "https://news.example.fr/articles/busy"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(BACKEND != "sqlite", reason="about SQLite's single writer"),
]


def _poster(database_url: str, worker: int, errors: "multiprocessing.Queue[str]") -> None:
    app = create_app(base_config(database_url))
    with app.app_context():
        site = get_site("busy")
        for n in range(POSTS_EACH):
            new = NewComment(
                url=URL,
                body=f"Avis n°{n} du lecteur {worker}",
                author=f"Lecteur {worker}",
                email=f"lecteur{worker}@example.fr",
            )
            try:
                post_comment(
                    site, new, reader=Reader(ip=f"198.51.100.{worker}"), spam_model=FixedSpamModel()
                )
            except Exception:  # reported to the parent, which fails the test with it
                errors.put(traceback.format_exc(limit=3))
        _db.engine.dispose()


def test_concurrent_posters_never_see_database_is_locked(app, database_url) -> None:
    make_site("busy", origins=["https://news.example.fr"], mode="post")
    context = multiprocessing.get_context("fork")
    errors = context.Queue()
    posters = [
        context.Process(target=_poster, args=(database_url, worker, errors))
        for worker in range(PROCESSES)
    ]
    for process in posters:
        process.start()
    for process in posters:
        process.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert [p.exitcode for p in posters] == [0] * PROCESSES
    _db.session.rollback()
    total = PROCESSES * POSTS_EACH
    assert _db.session.scalar(select(func.count()).select_from(Comment)) == total
    thread = _db.session.scalar(select(Thread))
    # The denormalised count lost no increment to a race.
    assert thread.published_count == total


def _hold_then_follow(app, hold_seconds: float) -> float:
    """One writer holds the write lock for a while; how late does the waiting one start?"""
    holding, released = threading.Event(), []

    def holder() -> None:
        with app.app_context():
            with write_transaction():
                holding.set()
                time.sleep(hold_seconds)
            released.append(time.perf_counter())

    first = threading.Thread(target=holder)
    first.start()
    holding.wait(10)
    with app.app_context(), write_transaction():
        entered = time.perf_counter()
    first.join(10)
    return entered - released[0]


def test_a_waiting_writer_starts_as_soon_as_the_lock_is_free(app) -> None:
    # SQLite's own busy handler would wake the waiter in steps of up to 100 ms (50 ms late
    # on average); the writers' lock hands over at once.
    delays = [_hold_then_follow(app, 0.6) for _ in range(4)]
    assert sum(delays) / len(delays) < 0.025, delays
