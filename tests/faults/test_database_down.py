"""Database unreachable: 503 problem+json with Retry-After, /readyz false, recovery on its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from commentsvc import create_app
from commentsvc.extensions import db
from tests.conftest import base_config
from tests.faults.pgcluster import Cluster

pytestmark = pytest.mark.slow


@pytest.fixture
def pg_app(running_cluster: Cluster) -> Iterator[Flask]:
    app = create_app(base_config(running_cluster.url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_readyz_follows_the_database_and_recovers_on_its_own(
    pg_app: Flask, running_cluster: Cluster
) -> None:
    client = pg_app.test_client()
    assert client.get("/readyz").get_json()["ready"] is True

    running_cluster.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False and "database" in body["problems"]

    running_cluster.start()
    # Same app, same pool: stale connections are replaced without a restart.
    assert client.get("/readyz").status_code == 200
    assert client.get("/readyz").get_json()["ready"] is True


def _counts() -> tuple[int, int]:
    from sqlalchemy import func, select

    from commentsvc.models import Comment, Thread

    db.session.rollback()
    return (
        db.session.scalar(select(func.count(Thread.id))),
        db.session.scalar(select(func.count(Comment.id))),
    )


def test_database_lost_in_the_middle_of_a_write_leaves_no_partial_rows(
    pg_app: Flask, running_cluster: Cluster
) -> None:
    from sqlalchemy import event
    from sqlalchemy.exc import DBAPIError

    from commentsvc.comments.services import NewComment, Reader, post_comment
    from tests.factories import make_site

    with pg_app.app_context():
        db.session.execute(db.text("TRUNCATE sites, threads, comments RESTART IDENTITY CASCADE"))
        db.session.commit()
        site = make_site("faulty", origins=["https://faulty.example"])
        new = NewComment(
            url="https://faulty.example/a", body="Bonjour", author="Ana", email="ana@example.org"
        )

        def crash_on_comment_insert(conn, cursor, statement, *args) -> None:
            # The thread row is already written in this transaction; now the server dies.
            if statement.lstrip().upper().startswith("INSERT INTO COMMENTS"):
                running_cluster.stop()

        event.listen(db.engine, "before_cursor_execute", crash_on_comment_insert)
        try:
            with pytest.raises(DBAPIError):
                post_comment(
                    site,
                    new,
                    reader=Reader(ip="192.0.2.9"),
                    spam_model=pg_app.extensions["spam_model"],
                )
        finally:
            event.remove(db.engine, "before_cursor_execute", crash_on_comment_insert)
        db.session.rollback()

        running_cluster.start()
        assert _counts() == (0, 0)  # neither the thread nor the comment
        site = db.session.get(type(site), site.id)
        posted = post_comment(
            site, new, reader=Reader(ip="192.0.2.9"), spam_model=pg_app.extensions["spam_model"]
        )
        assert posted.comment.id is not None
        assert _counts() == (1, 1)


def _post(client, url: str = "https://faulty.example/b"):
    return client.post(
        "/api/v1/sites/faulty/comments",
        json={"url": url, "author": "Ana", "email": "ana@example.org", "body": "Toujours là ?"},
    )


def test_posting_while_the_database_is_down_answers_503_and_recovers(
    pg_app: Flask, running_cluster: Cluster
) -> None:
    from tests.factories import make_site

    with pg_app.app_context():
        db.session.execute(db.text("TRUNCATE sites, threads, comments RESTART IDENTITY CASCADE"))
        db.session.commit()
        make_site("faulty", origins=["https://faulty.example"], mode="post", min_seconds=0)
        db.session.remove()
    client = pg_app.test_client()
    running_cluster.stop()
    answer = _post(client)
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.get_json()["detail"]
    assert client.get("/readyz").get_json()["ready"] is False

    running_cluster.start()
    assert _post(client).status_code == 201  # no restart of the app needed
    with pg_app.app_context():
        assert _counts() == (1, 1)  # the refused attempt left nothing behind


def test_read_only_sqlite_file_answers_503_and_stores_nothing(tmp_path) -> None:
    from tests.conftest import migrate_to_head
    from tests.factories import make_site

    path = tmp_path / "ro.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        make_site("faulty", origins=["https://faulty.example"], mode="post", min_seconds=0)
        db.session.remove()
    # Read-only as SQLite sees it (file permissions mean nothing to root, who runs CI).
    reader = create_app(base_config(f"sqlite:///file:{path}?mode=ro&uri=true"))
    answer = _post(reader.test_client())
    assert answer.status_code == 503, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json"
    assert int(answer.headers["Retry-After"]) > 0
    with reader.app_context():
        db.engine.dispose()
    with app.app_context():
        assert _counts() == (0, 0)
        db.engine.dispose()


def test_a_briefly_locked_sqlite_file_makes_writers_wait_not_fail(tmp_path) -> None:
    import sqlite3
    import threading

    from tests.conftest import migrate_to_head
    from tests.factories import make_site

    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    migrate_to_head(url)
    app = create_app(base_config(url))
    with app.app_context():
        make_site("faulty", origins=["https://faulty.example"], mode="post", min_seconds=0)
        db.session.remove()
    holder = sqlite3.connect(
        tmp_path / "locked.sqlite3", isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN EXCLUSIVE")  # another process's long write
    threading.Timer(1.5, holder.rollback).start()
    try:
        answer = _post(app.test_client())
    finally:
        holder.close()
    assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
    with app.app_context():
        assert _counts() == (1, 1)
        db.engine.dispose()
