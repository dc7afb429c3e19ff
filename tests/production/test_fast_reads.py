"""The hot reader paths stay cheap: a cache hit reads one row, loads no ORM object, and
reader responses do not vary on cookies they never read."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Mapper

from commentsvc import caching
from commentsvc.extensions import db
from tests.comments.helpers import count_queries
from tests.factories import make_comment, make_site, make_thread

ORIGIN = "https://fast.example.fr"
URL = f"{ORIGIN}/articles/rapide"


@pytest.fixture
def thread(app):
    site = make_site("fast", origins=[ORIGIN], mode="post")
    thread = make_thread(site, URL)
    for i in range(5):
        root = make_comment(thread, f"Racine {i}")
        make_comment(thread, f"Réponse {i}", parent=root)
    return thread


@contextmanager
def count_orm_loads() -> Iterator[list[str]]:
    """Every model instance built or refreshed from a row inside the block."""
    loaded: list[str] = []

    def _record(target, *_args) -> None:
        loaded.append(type(target).__name__)

    for name in ("load", "refresh"):
        event.listen(Mapper, name, _record)
    try:
        yield loaded
    finally:
        for name in ("load", "refresh"):
            event.remove(Mapper, name, _record)


READER_PATHS = {
    "thread JSON": "/api/v1/sites/fast/comments",
    "iframe page": "/embed/fast",
    "fragment": "/embed/fast/thread",
}


@pytest.mark.parametrize("path", READER_PATHS.values(), ids=READER_PATHS.keys())
def test_a_cache_hit_reads_one_thread_row_and_builds_no_model(client, thread, path) -> None:
    # Any cookie takes the request past the front cache (``edge.py``, its own tests) to Flask.
    client.set_cookie("publisher_pref", "dark")
    assert client.get(path, query_string={"url": URL}).status_code == 200  # renders, stores
    db.session.expire_all()
    with count_queries() as queries, count_orm_loads() as loads:
        response = client.get(path, query_string={"url": URL})
    assert response.status_code == 200 and "Racine 4" in response.get_data(as_text=True)
    # The site comes from the process's short-lived copy; the thread's version is the one
    # check that the stored rendering is still the current one.
    assert len(queries) == 1 and "FROM threads" in queries[0], queries
    assert loads == [], loads


@pytest.mark.parametrize(
    "path", [*READER_PATHS.values(), "/api/v1/sites/fast/counts", "/embed/fast/counts"]
)
def test_reader_responses_do_not_vary_on_cookies(client, thread, path) -> None:
    # A reader's browser may hold a moderator's session cookie for the same host.
    client.set_cookie("session", "not-a-valid-session")
    response = client.get(path, query_string={"url": URL})
    assert response.status_code == 200
    assert "Cookie" not in response.vary, response.headers.get("Vary")


def test_pages_that_use_the_session_still_vary_on_it(client) -> None:
    response = client.get("/admin/login")
    assert response.status_code == 200
    assert "Cookie" in response.vary


def test_the_thread_row_decides_a_hit_so_another_process_change_is_seen(client, thread) -> None:
    first = client.get(READER_PATHS["thread JSON"], query_string={"url": URL})
    # A change made elsewhere (another worker): the row's version moves, nothing else here.
    db.session.execute(
        db.text("UPDATE threads SET version = version + 1, title = 'Nouveau' WHERE id = :id"),
        {"id": thread.id},
    )
    db.session.commit()
    second = client.get(READER_PATHS["thread JSON"], query_string={"url": URL})
    assert first.headers["ETag"] != second.headers["ETag"]
    assert second.json["title"] == "Nouveau"


def test_slots_split_once_and_fill_per_request() -> None:
    parts = caching.split_slots("<p>é TOK et N1 N1</p>", {"TOK": "token", "N1": "nonce"})
    assert b"TOK" not in b"".join(p for p in parts if isinstance(p, bytes))
    filled = caching.fill_slots(parts, {"token": "abc", "nonce": "ñ"})
    assert filled == "<p>é abc et ñ ñ</p>".encode()
