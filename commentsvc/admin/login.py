"""Signing moderators in, with throttling per account and per IP address.

After a few failures an account, from that address (or the address, for any account), must
wait before trying again, and the wait doubles with each further failure; from elsewhere the
account stays open until many more failures, so an attacker cannot lock its owner out. The
check comes before the password is verified, so a locked account cannot be probed; unknown
e-mails are throttled exactly like known ones, so the answer never tells whether an account
exists. Counters live in the shared cache (Redis in production), so every app process sees
the same ones.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from commentsvc.admin.accounts import AccountError, get_moderator, set_password, verify_password
from commentsvc.database import write_transaction
from commentsvc.extensions import cache
from commentsvc.models import Moderator, utcnow
from commentsvc.moderation.errors import ModerationError

ACCOUNT_FREE_FAILURES = 5  # per account and address
IP_FREE_FAILURES = 20
# Per account from all addresses: high, so that an attacker cannot lock the real moderator out
# from one address, yet a guessing campaign spread over many addresses is still slowed down.
ACCOUNT_ANYWHERE_FREE_FAILURES = 100
BASE_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 3600
# Failures older than this are forgotten.
WINDOW_SECONDS = 24 * 3600


@dataclass
class Failures:
    count: int = 0
    locked_until: float = 0.0


def _key(kind: str, value: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    digest = hashlib.sha256(secret + b":login:" + value.encode()).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _load(key: str) -> Failures:
    data = cache.get(key)
    if not isinstance(data, dict):
        return Failures()
    return Failures(int(data.get("count", 0)), float(data.get("locked_until", 0)))


def lock_delay(count: int, free: int) -> int:
    """Seconds to wait after ``count`` failures when ``free`` are allowed: 30 s, 60 s, 120 s…"""
    if count < free:
        return 0
    return min(BASE_DELAY_SECONDS * 2 ** (count - free), MAX_DELAY_SECONDS)


def _fail(key: str, free: int, now: float) -> None:
    failures = _load(key)
    failures.count += 1
    delay = lock_delay(failures.count, free)
    if delay:
        failures.locked_until = now + delay
    cache.set(
        key,
        {"count": failures.count, "locked_until": failures.locked_until},
        timeout=WINDOW_SECONDS,
    )


def _wait_seconds(keys: list[str], now: float) -> float:
    return max((_load(key).locked_until - now for key in keys), default=0.0)


def _throttled(seconds: float) -> ModerationError:
    minutes = max(1, math.ceil(seconds / 60))
    return ModerationError(
        429,
        _l(
            "Too many failed attempts. Please wait %(minutes)d minute(s) before trying again.",
            minutes=minutes,
        ),
        code="throttled",
    )


def _normalise(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str, *, ip_hash: str | None) -> Moderator:
    """The moderator these credentials open, or a ModerationError (401 wrong, 429 throttled)."""
    now = time.time()
    ip = ip_hash or "unknown"
    account = _normalise(email)
    keys = [_key("account-ip", f"{account}\n{ip}"), _key("ip", ip), _key("account", account)]
    wait = _wait_seconds(keys, now)
    if wait > 0:
        raise _throttled(wait)
    try:
        moderator = get_moderator(email)
    except AccountError:
        moderator = None
    if moderator is None or not moderator.active or not verify_password(moderator, password):
        _fail(keys[0], ACCOUNT_FREE_FAILURES, now)
        _fail(keys[1], IP_FREE_FAILURES, now)
        _fail(keys[2], ACCOUNT_ANYWHERE_FREE_FAILURES, now)
        raise ModerationError(401, _l("Wrong e-mail address or password."), code="wrong")
    cache.delete(keys[0])
    with write_transaction():
        moderator.last_login_at = utcnow()
        moderator.failed_logins = 0
    return moderator


def change_password(moderator: Moderator, current: str, new: str) -> None:
    """Change one's password (the current one is required); other sessions end."""
    if not verify_password(moderator, current):
        raise ModerationError(403, _l("The current password is wrong."), code="wrong")
    if new == current:
        raise ModerationError(422, _l("Choose a password different from the current one."))
    try:
        set_password(moderator, new)
    except AccountError:
        raise ModerationError(
            422, _l("The new password must have at least 10 characters."), code="weak"
        ) from None
