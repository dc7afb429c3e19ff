"""Moderator API tokens: shown once, stored hashed, revocable."""

import pytest
from sqlalchemy import select

from commentsvc.api.tokens import TokenError, authenticate, create_token, hash_token, revoke_token
from commentsvc.models import ApiToken
from tests.factories import make_moderator


def test_token_is_stored_only_as_its_hash(db) -> None:
    moderator = make_moderator()
    token, _row = create_token(moderator, "  mon   script ")
    stored = db.session.scalar(select(ApiToken))
    assert stored.name == "mon script"
    assert stored.token_hash == hash_token(token)
    assert token not in {stored.token_hash, stored.name}
    assert authenticate(f"Bearer {token}") == moderator
    assert stored.last_used_at is not None


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer csvc_wrong"])
def test_anything_else_authenticates_nobody(db, header) -> None:
    create_token(make_moderator(), "x")
    assert authenticate(header) is None


def test_revoked_token_and_inactive_moderator_are_refused(db) -> None:
    moderator = make_moderator()
    token, row = create_token(moderator, "x")
    revoke_token(row.id, moderator=moderator)
    assert authenticate(f"Bearer {token}") is None
    other, _ = create_token(moderator, "y")
    moderator.active = False
    db.session.commit()
    assert authenticate(f"Bearer {other}") is None


def test_only_the_owner_or_an_admin_revokes(db) -> None:
    owner, stranger = make_moderator(), make_moderator()
    admin = make_moderator(is_admin=True)
    _, row = create_token(owner, "x")
    with pytest.raises(TokenError):
        revoke_token(row.id, moderator=stranger)
    assert revoke_token(row.id, moderator=admin).revoked_at is not None


def test_a_token_needs_a_name(db) -> None:
    with pytest.raises(TokenError):
        create_token(make_moderator(), "   ")
