from sqlalchemy import select

from commentsvc.admin.accounts import verify_password
from commentsvc.models import Moderator, Site


def test_site_add(runner, db) -> None:
    result = runner.invoke(
        args=["site", "add", "lebigdata", "--origin", "https://www.lebigdata.fr", "--lang", "fr"]
    )
    assert result.exit_code == 0, result.output
    site = db.session.scalar(select(Site).where(Site.name == "lebigdata"))
    assert site.origins == ["https://www.lebigdata.fr"]


def test_site_add_refuses_a_bad_origin_in_one_line(runner) -> None:
    result = runner.invoke(args=["site", "add", "x", "--origin", "lebigdata.fr"])
    assert result.exit_code == 1
    assert "not an http(s) origin" in result.output
    assert "Traceback" not in result.output


def test_moderator_add_reads_the_password_from_stdin(runner, db) -> None:
    runner.invoke(args=["site", "add", "s1", "--origin", "https://a.fr"])
    result = runner.invoke(
        args=["moderator", "add", "Modo@Example.org", "--site", "s1"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    moderator = db.session.scalar(select(Moderator))
    assert moderator.email == "modo@example.org"
    assert moderator.password_hash.startswith("$argon2")
    assert verify_password(moderator, "a long enough password")
    assert [s.name for s in moderator.sites] == ["s1"]


def test_moderator_add_refuses_a_short_password(runner) -> None:
    result = runner.invoke(args=["moderator", "add", "m@example.org"], input="short\n")
    assert result.exit_code == 1
    assert "at least" in result.output


def test_demo_is_idempotent(runner, db, monkeypatch) -> None:
    monkeypatch.setenv("COMMENTSVC_DEMO_PASSWORD", "demo password 123")
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "demo password 123" not in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(Site).where(Site.name == "demo")).default_lang == "fr"
    moderators = db.session.scalars(select(Moderator)).all()
    assert [m.email for m in moderators] == ["admin@example.com"]
    assert verify_password(moderators[0], "demo password 123")
