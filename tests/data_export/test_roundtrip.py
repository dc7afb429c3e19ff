"""`commentsvc export` then `commentsvc import json` gives the same site back."""

import json

from sqlalchemy import func, select

from commentsvc.models import AuditEntry, Comment, Status
from tests.factories import make_comment, make_moderator, make_site, make_thread


def build_site(db):
    site = make_site("lebigdata", origins=["https://www.lebigdata.fr"])
    thread = make_thread(site, "https://www.lebigdata.fr/a", title="Été « chaud »")
    root = make_comment(thread, "Premier, **très** bien", ip_hash="a" * 64, likes_count=4)
    reply = make_comment(thread, "Réponse", parent=root, author_email=None)
    make_comment(thread, "Deuxième niveau", parent=reply)
    spam = make_comment(thread, "spam", status=Status.SPAM, spam_score=0.97)
    make_comment(make_thread(site, "https://www.lebigdata.fr/b", closed=True), "fermé")
    moderator = make_moderator("modo@example.org", sites=[site])
    db.session.add(
        AuditEntry(
            moderator_id=moderator.id,
            actor=moderator.email,
            action="spam",
            site_id=site.id,
            comment_id=spam.id,
            status_before="pending",
            status_after="spam",
            reason="lien douteux",
        )
    )
    db.session.commit()
    return site


def normalised(text: str) -> dict:
    """The export with the database's own ids replaced by their order of appearance."""
    data = json.loads(text)
    data.pop("exported_at")
    data["site"].pop("name")
    threads = {t["id"]: n for n, t in enumerate(data["threads"])}
    comments = {c["id"]: n for n, c in enumerate(data["comments"])}
    for t in data["threads"]:
        t["id"] = threads[t["id"]]
    for c in data["comments"]:
        c["id"] = comments[c["id"]]
        c["thread_id"] = threads[c["thread_id"]]
        c["parent_id"] = comments.get(c["parent_id"])
    for a in data["audit"]:
        a["comment_id"] = comments.get(a["comment_id"])
    return data


def test_export_then_import_json_reads_back_identically(runner, db, tmp_path) -> None:
    build_site(db)
    first = tmp_path / "first.json"
    result = runner.invoke(args=["export", "--site", "lebigdata", "-o", str(first)])
    assert result.exit_code == 0, result.output
    make_site("copie", origins=["https://www.lebigdata.fr"])
    result = runner.invoke(args=["import", "json", str(first), "--site", "copie"])
    assert result.exit_code == 0, result.output
    assert "imported 5 comments" in result.output
    second = tmp_path / "second.json"
    runner.invoke(args=["export", "--site", "copie", "-o", str(second)])
    original = normalised(first.read_text(encoding="utf-8"))
    copy = normalised(second.read_text(encoding="utf-8"))
    assert len(original["comments"]) == 5 and len(original["audit"]) == 1
    assert copy == original


def test_import_json_twice_adds_nothing(runner, db, tmp_path) -> None:
    build_site(db)
    path = tmp_path / "export.json"
    runner.invoke(args=["export", "--site", "lebigdata", "-o", str(path)])
    make_site("copie", origins=["https://www.lebigdata.fr"])
    runner.invoke(args=["import", "json", str(path), "--site", "copie"])
    again = runner.invoke(args=["import", "json", str(path), "--site", "copie"])
    assert "imported 0 comments" in again.output
    assert db.session.scalar(select(func.count(Comment.id))) == 10
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 2


def test_export_to_stdout_is_json(runner, db) -> None:
    build_site(db)
    result = runner.invoke(args=["export", "--site", "lebigdata"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["format"] == "commentsvc-export"
    assert {c["status"] for c in data["comments"]} == {"published", "spam"}


def test_broken_json_import_stores_nothing(runner, db, tmp_path) -> None:
    make_site("copie", origins=["https://www.lebigdata.fr"])
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": "commentsvc-export",
                "version": 1,
                "threads": [{"id": 1, "url": "https://www.lebigdata.fr/a"}],
                "comments": [
                    {
                        "id": 1,
                        "thread_id": 1,
                        "status": "published",
                        "created_at": "2024-01-01T00:00:00+00:00",
                    },
                    {"id": 2, "thread_id": 1, "status": "published"},
                ],
            }
        )
    )
    result = runner.invoke(args=["import", "json", str(path), "--site", "copie"])
    assert result.exit_code == 1
    assert "comments[1]" in result.output
    assert db.session.scalar(select(func.count(Comment.id))) == 0
