"""Personal data: export, erasure per site policy, retention then purge."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commentsvc.gdpr import erase_person, purge
from commentsvc.models import AuditEntry, Comment, RetainedIdentity, Status, Thread, utcnow
from tests.factories import make_comment, make_site, make_thread

EMAIL = "camille@example.fr"


@pytest.fixture
def data(db):
    keep = make_site("keep", origins=["https://keep.example"], erase_policy="keep")
    remove = make_site("remove", origins=["https://remove.example"], erase_policy="remove")
    t1 = make_thread(keep, "https://keep.example/a")
    t2 = make_thread(remove, "https://remove.example/b")
    mine = [
        make_comment(t1, "Mon avis", author_email=EMAIL, ip_hash="f" * 64, user_agent="UA"),
        make_comment(t2, "Mon autre avis", author_email=EMAIL, ip_hash="e" * 64),
    ]
    other = make_comment(t1, "Pas moi", author_email="autre@example.fr", ip_hash="d" * 64)
    return {"mine": mine, "other": other, "threads": (t1, t2)}


def test_gdpr_export_lists_everything_about_the_person(runner, data) -> None:
    result = runner.invoke(args=["gdpr", "export", "Camille@Example.fr"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    assert exported["email"] == EMAIL
    assert sorted(c["body"] for c in exported["comments"]) == ["Mon autre avis", "Mon avis"]
    assert {c["site"] for c in exported["comments"]} == {"keep", "remove"}
    assert "Pas moi" not in result.output


def test_erase_follows_each_sites_policy(runner, db, data) -> None:
    result = runner.invoke(args=["gdpr", "erase", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    assert "erased 2 comments" in result.output
    kept, removed = (db.session.get(Comment, c.id) for c in data["mine"])
    for comment in (kept, removed):
        assert comment.author_email is None
        assert comment.author_name == ""
        assert comment.ip_hash is None
    assert kept.body_source == "Mon avis" and kept.status == Status.PUBLISHED
    assert removed.body_source == "" and removed.body_html == ""
    assert removed.status == Status.DELETED
    t2 = db.session.get(Thread, data["threads"][1].id)
    assert t2.published_count == 0
    other = db.session.get(Comment, data["other"].id)
    assert other.author_email == "autre@example.fr" and other.ip_hash == "d" * 64


def test_erase_is_in_the_audit_log_without_the_address(runner, db, data) -> None:
    runner.invoke(args=["gdpr", "erase", EMAIL, "--yes"])
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert len(entries) == 2
    assert {e.details["policy"] for e in entries} == {"keep", "remove"}
    assert all(EMAIL not in json.dumps(e.details) + e.reason for e in entries)


def test_identification_is_retained_then_purged(app, db, data) -> None:
    erase_person(EMAIL, actor="test")
    retained = db.session.scalars(select(RetainedIdentity)).all()
    assert {r.author_email for r in retained} == {EMAIL}
    assert {r.ip_hash for r in retained} == {"f" * 64, "e" * 64}
    days = app.config["RETENTION_DAYS"]
    assert purge(now=utcnow() + timedelta(days=days - 1)).retained_removed == 0
    assert purge(now=utcnow() + timedelta(days=days + 1)).retained_removed == 2
    assert db.session.scalar(select(func.count(RetainedIdentity.id))) == 0


def test_purge_clears_ip_hashes_of_comments_older_than_the_retention(app, db) -> None:
    site = make_site("s", origins=["https://s.example"])
    thread = make_thread(site, "https://s.example/a")
    old = make_comment(thread, "vieux", ip_hash="a" * 64, age=timedelta(days=400))
    new = make_comment(thread, "récent", ip_hash="b" * 64)
    assert purge().old_comments_cleared == 1
    db.session.expire_all()
    assert db.session.get(Comment, old.id).ip_hash is None
    assert db.session.get(Comment, new.id).ip_hash == "b" * 64


def test_purge_command(runner, db) -> None:
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "retained identities removed: 0" in result.output


def test_erase_unknown_address_changes_nothing(runner, db, data) -> None:
    result = runner.invoke(args=["gdpr", "erase", "nobody@example.fr", "--yes"])
    assert "erased 0 comments" in result.output
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_erase_runs_unattended_without_a_terminal(runner, db, data) -> None:
    result = runner.invoke(args=["gdpr", "erase", EMAIL])
    assert result.exit_code == 0, result.output
    assert "erased 2 comments" in result.output
