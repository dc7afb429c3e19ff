"""Moderators' API tokens: shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import ApiToken, Moderator, utcnow

PREFIX = "csvc_"
MAX_NAME = 100
# last_used_at is a hint for the admin page; writing it on every request would cost a write.
TOUCH_EVERY = timedelta(minutes=5)


class TokenError(ValueError):
    """A refused token operation; the message says why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(moderator: Moderator, name: str) -> tuple[str, ApiToken]:
    """A new token for ``moderator``; the clear token is returned here and never again."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise TokenError(f"a token needs a name of 1 to {MAX_NAME} characters")
    token = PREFIX + secrets.token_urlsafe(32)
    with write_transaction() as session:
        row = ApiToken(moderator_id=moderator.id, name=name, token_hash=hash_token(token))
        session.add(row)
    return token, row


def list_tokens(moderator: Moderator) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.moderator_id == moderator.id).order_by(ApiToken.id)
        )
    )


def revoke_token(token_id: int, *, moderator: Moderator) -> ApiToken:
    """Revoke one of the moderator's tokens (an admin may revoke anyone's)."""
    with write_transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (row.moderator_id != moderator.id and not moderator.is_admin):
            raise TokenError("no such token")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
    return row


def authenticate(authorization: str | None) -> Moderator | None:
    """The active moderator behind ``Authorization: Bearer <token>``, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    moderator = row.moderator
    if moderator is None or not moderator.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        with write_transaction():
            row.last_used_at = now
    return moderator
