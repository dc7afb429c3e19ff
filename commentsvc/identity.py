"""Keyed hashes for what identifies a reader, so raw addresses are never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app


def _keyed(purpose: str, value: str) -> str:
    key = (current_app.config["SECRET_KEY"] + ":" + purpose).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hash_ip(address: str | None) -> str | None:
    """HMAC-SHA256 of an IP address with the server secret."""
    if not address:
        return None
    return _keyed("ip", address.strip())


def avatar_seed(email: str | None, name: str) -> str:
    """Seed of the identicon: keyed, so a published avatar does not reveal the e-mail."""
    basis = (email or "").strip().lower() or "name:" + name.strip().lower()
    return _keyed("avatar", basis)[:32]


def hash_reader_key(key: str) -> str:
    """A reader's browser key (likes, reports) is stored only as a keyed hash."""
    return _keyed("reader", key)


def new_edit_key() -> str:
    return secrets.token_urlsafe(24)


def hash_edit_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def edit_key_matches(key: str | None, stored_hash: str | None) -> bool:
    if not key or not stored_hash:
        return False
    return hmac.compare_digest(hash_edit_key(key), stored_hash)
