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
