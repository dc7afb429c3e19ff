"""Bad files stop with the line at fault, and leave nothing behind."""

import pytest
from sqlalchemy import func, select

from commentsvc.models import Comment, Thread
from tests.importers.conftest import SAMPLES


def nothing_stored(db) -> bool:
    return (
        db.session.scalar(select(func.count(Comment.id))) == 0
        and db.session.scalar(select(func.count(Thread.id))) == 0
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("malformed.xml", "line 11: malformed XML"),
        ("bad_date.xml", "line 12: <wp:comment_date_gmt> 'le 3 mars' is not a date"),
        ("bomb.xml", "DOCTYPE"),
        ("xxe.xml", "DOCTYPE"),
    ],
)
def test_bad_file_stops_with_the_place_and_imports_nothing(runner, site, db, name, message):
    result = runner.invoke(args=["import", "wordpress", str(SAMPLES / name), "--site", "lebigdata"])
    assert result.exit_code == 1
    assert message in result.output, result.output
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert nothing_stored(db)


def test_external_entity_content_never_reaches_the_database(runner, site, db) -> None:
    runner.invoke(args=["import", "wordpress", str(SAMPLES / "xxe.xml"), "--site", "lebigdata"])
    bodies = " ".join(db.session.scalars(select(Comment.body_source)))
    assert "root:" not in bodies


def test_unknown_site_is_one_line(runner, db) -> None:
    result = runner.invoke(
        args=["import", "wordpress", str(SAMPLES / "wordpress.xml"), "--site", "nope"]
    )
    assert result.exit_code == 1
    assert "no site named 'nope'" in result.output


def test_a_disqus_file_given_as_wordpress_is_refused(runner, site, db) -> None:
    result = runner.invoke(
        args=["import", "wordpress", str(SAMPLES / "disqus.xml"), "--site", "lebigdata"]
    )
    assert result.exit_code == 1
    assert "not a WordPress export" in result.output
    assert nothing_stored(db)
