"""Moderator API: token auth, the admin's filters, same permissions and audit log."""

import pytest
from sqlalchemy import select

from commentsvc.api.tokens import create_token, revoke_token
from commentsvc.models import AuditEntry, Comment, Status
from tests.factories import make_comment, make_moderator, make_site, make_thread


@pytest.fixture
def world(db):
    mine = make_site("mine", origins=["https://mine.example"])
    theirs = make_site("theirs", origins=["https://theirs.example"])
    moderator = make_moderator("modo@example.org", sites=[mine])
    token, row = create_token(moderator, "script")
    held = make_comment(
        make_thread(mine),
        "Achetez",
        status=Status.PENDING,
        spam_score=0.7,
        author_email="a@example.fr",
        ip_hash="9" * 64,
    )
    elsewhere = make_comment(make_thread(theirs), "Ailleurs", status=Status.PENDING)
    return {
        "auth": {"Authorization": f"Bearer {token}"},
        "held": held,
        "elsewhere": elsewhere,
        "moderator": moderator,
        "token_row": row,
    }


def test_no_or_bad_token_is_401(client, world) -> None:
    assert client.get("/api/v1/moderation/queue").status_code == 401
    bad = client.get("/api/v1/moderation/queue", headers={"Authorization": "Bearer csvc_x"})
    assert bad.status_code == 401
    assert bad.mimetype == "application/problem+json"


def test_revoked_token_is_401(client, world) -> None:
    revoke_token(world["token_row"].id, moderator=world["moderator"])
    assert client.get("/api/v1/moderation/queue", headers=world["auth"]).status_code == 401


def test_queue_lists_only_the_moderators_sites_with_emails_but_no_ip(client, world) -> None:
    response = client.get("/api/v1/moderation/queue", headers=world["auth"])
    assert response.status_code == 200
    items = response.json["comments"]
    assert [c["id"] for c in items] == [world["held"].id]
    assert items[0]["author_email"] == "a@example.fr"
    assert items[0]["spam_score"] == 0.7
    assert "9" * 64 not in response.get_data(as_text=True)


def test_queue_filters_are_the_admins(client, world) -> None:
    empty = client.get(
        "/api/v1/moderation/queue", query_string={"min": "0.8"}, headers=world["auth"]
    )
    assert empty.json["comments"] == []
    bad = client.get(
        "/api/v1/moderation/queue",
        query_string={"min": "0.9", "max": "0.1"},
        headers=world["auth"],
    )
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    other_site = client.get(
        "/api/v1/moderation/queue", query_string={"site": "theirs"}, headers=world["auth"]
    )
    assert other_site.status_code in {403, 404}


def test_decision_changes_status_and_is_audited_under_the_moderator(client, db, world) -> None:
    held = world["held"]
    response = client.post(
        f"/api/v1/moderation/comments/{held.id}/decision",
        json={"action": "approve", "reason": "ok", "revision": held.revision},
        headers=world["auth"],
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "published"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.comment_id == held.id))
    assert entry.action == "approve"
    assert entry.moderator_id == world["moderator"].id


def test_stale_revision_is_409_and_changes_nothing(client, db, world) -> None:
    held = world["held"]
    response = client.post(
        f"/api/v1/moderation/comments/{held.id}/decision",
        json={"action": "spam", "revision": held.revision + 5},
        headers=world["auth"],
    )
    assert response.status_code == 409
    assert db.session.get(Comment, held.id).status == Status.PENDING


def test_a_comment_of_another_site_is_forbidden(client, db, world) -> None:
    other = world["elsewhere"]
    assert (
        client.get(f"/api/v1/moderation/comments/{other.id}", headers=world["auth"]).status_code
        == 403
    )
    response = client.post(
        f"/api/v1/moderation/comments/{other.id}/decision",
        json={"action": "reject"},
        headers=world["auth"],
    )
    assert response.status_code == 403
    assert db.session.get(Comment, other.id).status == Status.PENDING


def test_unknown_action_is_422(client, world) -> None:
    response = client.post(
        f"/api/v1/moderation/comments/{world['held'].id}/decision",
        json={"action": "obliterate"},
        headers=world["auth"],
    )
    assert response.status_code == 422


def test_tab_counts(client, world) -> None:
    response = client.get("/api/v1/moderation/counts", headers=world["auth"])
    assert response.json["counts"]["pending"] == 1
