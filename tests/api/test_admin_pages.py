"""The admin pages for API tokens and personal-data requests, through the real sign-in."""

import re

import pytest
from sqlalchemy import select

from commentsvc.api.tokens import authenticate
from commentsvc.models import ApiToken, AuditEntry, Comment
from tests.admin.conftest import csrf, login
from tests.factories import make_comment, make_moderator, make_site, make_thread


@pytest.fixture
def site(db):
    return make_site("lebigdata", origins=["https://www.lebigdata.fr"], erase_policy="remove")


def test_pages_need_a_signed_in_moderator(client, site) -> None:
    assert client.get("/admin/api-tokens").status_code == 302
    assert client.get("/admin/personal-data").status_code == 302


def test_create_a_token_shown_once_then_revoke_it(client, db, site) -> None:
    moderator = make_moderator("modo@example.org", sites=[site])
    login(client, moderator)
    page = client.post(
        "/admin/api-tokens",
        data={"name": "mon script", "csrf_token": csrf(client, "/admin/api-tokens")},
    )
    html = page.get_data(as_text=True)
    token = re.search(r'<code class="token">(csvc_[^<]+)</code>', html).group(1)
    assert authenticate(f"Bearer {token}") == moderator
    again = client.get("/admin/api-tokens").get_data(as_text=True)
    assert token not in again and "mon script" in again
    row = db.session.scalar(select(ApiToken))
    client.post(
        f"/admin/api-tokens/{row.id}/revoke",
        data={"csrf_token": csrf(client, "/admin/api-tokens")},
    )
    assert authenticate(f"Bearer {token}") is None


def test_revoke_without_csrf_token_does_nothing(client, db, site) -> None:
    moderator = make_moderator("modo@example.org", sites=[site])
    login(client, moderator)
    client.post(
        "/admin/api-tokens",
        data={"name": "x", "csrf_token": csrf(client, "/admin/api-tokens")},
    )
    row = db.session.scalar(select(ApiToken))
    client.post(f"/admin/api-tokens/{row.id}/revoke", data={})
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None


def test_personal_data_is_for_admins_only(client, site) -> None:
    login(client, make_moderator("modo@example.org", sites=[site]))
    assert client.get("/admin/personal-data").status_code == 403


def test_admin_exports_then_erases_a_persons_data(client, db, site) -> None:
    comment = make_comment(make_thread(site), "Mon avis", author_email="camille@example.fr")
    admin = make_moderator("chef@example.org", is_admin=True)
    login(client, admin)
    token = csrf(client, "/admin/personal-data")
    export = client.post(
        "/admin/personal-data",
        data={"email": "camille@example.fr", "do": "export", "csrf_token": token},
    )
    assert export.mimetype == "application/json"
    assert export.json["comments"][0]["body"] == "Mon avis"
    unconfirmed = client.post(
        "/admin/personal-data",
        data={"email": "camille@example.fr", "do": "erase", "csrf_token": token},
    )
    assert unconfirmed.status_code == 422
    assert db.session.get(Comment, comment.id).author_email == "camille@example.fr"
    done = client.post(
        "/admin/personal-data",
        data={"email": "camille@example.fr", "do": "erase", "confirm": "y", "csrf_token": token},
    )
    assert done.status_code == 302
    db.session.expire_all()
    erased = db.session.get(Comment, comment.id)
    assert erased.author_email is None and erased.body_source == ""
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erase"))
    assert entry.moderator_id == admin.id
