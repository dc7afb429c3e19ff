"""Disqus XML and Isso SQLite imports on small files written for these tests."""

import sqlite3

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment, Status, Thread
from tests.importers.conftest import SAMPLES


def by_source(db) -> dict[str, Comment]:
    return {c.import_id.split("/", 1)[1]: c for c in db.session.scalars(select(Comment))}


def test_disqus_threads_posts_nesting_and_statuses(runner, site, db) -> None:
    args = ["import", "disqus", str(SAMPLES / "disqus.xml"), "--site", "lebigdata"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    thread = db.session.scalar(select(Thread))
    assert thread.url == "https://www.lebigdata.fr/disqus-article"
    assert thread.title == "Écrire en français : « guillemets » & accents"
    found = by_source(db)
    assert found["9002"].parent_id == found["9001"].id
    assert found["9001"].body_html == "<p>Premier commentaire, très <em>juste</em>.</p>"
    assert found["9001"].author_email == "ana@example.fr"
    assert found["9003"].status == Status.SPAM
    assert found["9004"].status == Status.DELETED and found["9004"].body_source == ""
    assert thread.published_count == 2
    again = runner.invoke(args=args)
    assert "imported 0 comments" in again.output
    assert db.session.scalar(select(func.count(Comment.id))) == 4


@pytest.fixture
def isso_db(tmp_path):
    path = tmp_path / "comments.db"
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
        CREATE TABLE comments (
            tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
            created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
            text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
            likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB, notification INTEGER);
        INSERT INTO threads VALUES (1, '/blog/isso-post/', 'Un billet d''été');
        INSERT INTO comments VALUES (1, 1, NULL, 1600000000.0, NULL, 1, '192.0.2.0',
            'Bonjour **à tous**', 'Émile', 'emile@example.fr', NULL, 3, 0, NULL, 0);
        INSERT INTO comments VALUES (1, 2, 1, 1600000100.0, 1600000200.0, 2, '192.0.2.0',
            'Réponse en attente', 'Léa', NULL, 'https://lea.example', 0, 0, NULL, 0);
        INSERT INTO comments VALUES (1, 3, NULL, 1600000300.0, NULL, 4, NULL,
            'effacé', 'X', NULL, NULL, 0, 0, NULL, 0);
        """
    )
    con.commit()
    con.close()
    return path


def test_isso_database(runner, site, db, isso_db) -> None:
    result = runner.invoke(args=["import", "isso", str(isso_db), "--site", "lebigdata"])
    assert result.exit_code == 0, result.output
    thread = db.session.scalar(select(Thread))
    assert thread.url == "https://www.lebigdata.fr/blog/isso-post/"
    assert thread.title == "Un billet d'été"
    found = by_source(db)
    assert found["1"].body_html == "<p>Bonjour <strong>à tous</strong></p>"
    assert found["1"].likes_count == 3
    assert found["2"].parent_id == found["1"].id and found["2"].status == Status.PENDING
    assert found["2"].edited_at is not None
    assert found["3"].status == Status.DELETED and found["3"].body_source == ""
    assert thread.published_count == 1


def test_not_an_isso_database(runner, site, db, tmp_path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_bytes(b"not sqlite at all" * 100)
    result = runner.invoke(args=["import", "isso", str(bogus), "--site", "lebigdata"])
    assert result.exit_code == 1
    assert "not an Isso database" in result.output
