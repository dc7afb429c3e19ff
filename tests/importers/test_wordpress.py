"""WordPress WXR import through the command, on a small file written for these tests."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from commentsvc.identity import hash_ip
from commentsvc.models import Comment, Status, Thread
from tests.importers.conftest import SAMPLES

WXR = str(SAMPLES / "wordpress.xml")


def run(runner, *args):
    return runner.invoke(args=["import", "wordpress", *args, "--site", "lebigdata"])


def comments(db) -> dict[str, Comment]:
    rows = db.session.scalars(select(Comment).order_by(Comment.id))
    return {c.import_id.split("/", 1)[1]: c for c in rows}


def test_threads_by_permalink_and_title(runner, site, db) -> None:
    result = run(runner, WXR)
    assert result.exit_code == 0, result.output
    threads = {t.url: t for t in db.session.scalars(select(Thread))}
    # The post without comments makes no thread.
    assert set(threads) == {
        "https://www.lebigdata.fr/ia-generative",
        "http://old.lebigdata.fr/ferme",
    }
    thread = threads["https://www.lebigdata.fr/ia-generative"]
    assert thread.title == "L’IA générative & les données"
    assert thread.published_count == 3
    assert threads["http://old.lebigdata.fr/ferme"].closed is True


def test_nesting_statuses_and_author_fields(runner, site, db) -> None:
    run(runner, WXR)
    found = comments(db)
    assert found["2"].parent_id == found["1"].id and found["2"].depth == 1
    assert found["3"].parent_id == found["2"].id and found["3"].depth == 2
    assert found["3"].root_id == found["1"].id
    assert {k: found[k].status for k in ("1", "4", "5", "6")} == {
        "1": Status.PUBLISHED,
        "4": Status.SPAM,
        "5": Status.PENDING,
        "6": Status.REJECTED,
    }
    first = found["1"]
    assert first.author_name == "Hélène Dupré"
    assert first.author_email == "helene@example.fr"
    assert first.author_website == "https://helene.example.fr"
    assert first.ip_hash == hash_ip("192.0.2.10")
    assert first.created_at == datetime(2023, 5, 1, 10, 30, tzinfo=UTC)  # the GMT date


def test_bodies_keep_accents_and_entities_and_are_sanitised(runner, site, db) -> None:
    run(runner, WXR)
    body = comments(db)["1"].body_html
    assert "<strong>intéressant</strong>" in body
    assert "été &amp; " in body
    assert 'href="https://example.org/x"' in body
    assert "<script" not in body and "alert(1)" not in body
    assert "<p>Deuxième paragraphe.</p>" in body


def test_pingbacks_and_trackbacks_are_skipped_and_counted(runner, site, db) -> None:
    result = run(runner, WXR)
    assert "skipped pingback: 1" in result.output
    assert "skipped trackback: 1" in result.output
    assert "Other blog" not in {c.author_name for c in comments(db).values()}


def test_missing_gmt_date_falls_back_to_the_local_one(runner, site, db) -> None:
    run(runner, WXR)
    assert comments(db)["9"].created_at == datetime(2022, 1, 2, 10, 0, tzinfo=UTC)


def test_second_run_adds_nothing(runner, site, db) -> None:
    first = run(runner, WXR)
    assert "imported 7 comments" in first.output
    # The comment id repeated inside the file counts as already there.
    assert "already there (skipped): 1" in first.output
    second = run(runner, WXR)
    assert second.exit_code == 0
    assert "imported 0 comments" in second.output
    assert db.session.scalar(select(func.count(Comment.id))) == 7
    assert db.session.scalar(select(Thread.published_count).where(Thread.url.like("%ia-gen%"))) == 3


def test_dry_run_stores_nothing(runner, site, db) -> None:
    result = run(runner, WXR, "--dry-run")
    assert result.exit_code == 0
    assert "would import 7 comments" in result.output
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_map_url_rewrites_moved_pages(runner, site, db) -> None:
    plain = run(runner, WXR, "--dry-run")
    assert "warning: 1 pages are outside the site's origins" in plain.output
    assert "http://old.lebigdata.fr/ferme" in plain.output
    mapped = run(runner, WXR, "--map-url", "http://old.lebigdata.fr=https://www.lebigdata.fr")
    assert "warning" not in mapped.output
    urls = set(db.session.scalars(select(Thread.url)))
    assert "https://www.lebigdata.fr/ferme" in urls


def test_replies_reuse_an_existing_thread(runner, site, db) -> None:
    from tests.factories import make_comment, make_thread

    live = make_thread(site, "https://www.lebigdata.fr/ia-generative")
    make_comment(live, "déjà là")
    run(runner, WXR)
    assert db.session.scalar(select(func.count(Thread.id))) == 2
    assert db.session.get(Thread, live.id).published_count == 4


def test_thread_read_through_the_api_after_import(runner, client, site, db) -> None:
    run(runner, WXR)
    page = client.get(
        "/api/v1/sites/lebigdata/comments",
        query_string={"url": "https://www.lebigdata.fr/ia-generative"},
    ).json
    assert page["count"] == 3
    assert page["comments"][0]["author"] == "Hélène Dupré"
    assert page["comments"][0]["replies"][0]["author"] == "Marc"


def test_progress_bar_on_request(runner, site, db) -> None:
    result = run(runner, WXR, "--progress")
    assert result.exit_code == 0, result.output
    assert "wordpress wordpress.xml" in result.stderr
    assert "imported 7 comments" in result.stdout
