"""Moderator accounts: creation and passwords (argon2)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models import Moderator, Site

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A refused account operation; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(moderator: Moderator, password: str) -> bool:
    """Check a password; upgrades the stored hash when argon2's parameters changed."""
    try:
        _hasher.verify(moderator.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(moderator.password_hash):
        moderator.password_hash = _hasher.hash(password)
    return True


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AccountError(f"{email!r} is not a valid e-mail address ({exc})") from exc


def get_moderator(email: str) -> Moderator | None:
    return db.session.scalar(select(Moderator).where(Moderator.email == normalise_email(email)))


def create_moderator(
    email: str, password: str, *, is_admin: bool = False, sites: list[Site] | None = None
) -> Moderator:
    """Create a moderator; refuses a taken e-mail or a weak password."""
    email = normalise_email(email)
    check_password_strength(password)
    if get_moderator(email) is not None:
        raise AccountError(f"a moderator with e-mail {email} already exists")
    moderator = Moderator(
        email=email,
        password_hash=hash_password(password),
        is_admin=is_admin,
        session_token=secrets.token_hex(16),
        sites=list(sites or []),
    )
    db.session.add(moderator)
    db.session.commit()
    return moderator


def set_password(moderator: Moderator, password: str) -> None:
    """Change a password and end every other session of that moderator."""
    check_password_strength(password)
    moderator.password_hash = hash_password(password)
    moderator.session_token = secrets.token_hex(16)
    db.session.commit()


def end_sessions(moderator: Moderator) -> None:
    """Sign out everywhere: sessions are client-side cookies, so a copy of one (kept by a
    thief, or replayed after logout) works until the token it carries is replaced."""
    moderator.session_token = secrets.token_hex(16)
    db.session.commit()


def load_session_user(session_id: str) -> Moderator | None:
    """Flask-Login's loader: the id and the session token must both match."""
    moderator_id, _, token = session_id.partition(":")
    if not moderator_id.isdigit() or not token:
        return None
    moderator = db.session.get(Moderator, int(moderator_id))
    if moderator is None or not moderator.active:
        return None
    if not secrets.compare_digest(moderator.session_token, token):
        return None
    return moderator
