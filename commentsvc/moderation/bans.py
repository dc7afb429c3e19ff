"""Bans of an author on a site, by e-mail, hashed IP or name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select

from commentsvc.extensions import db
from commentsvc.models import Ban, BanKind, Site, utcnow
from commentsvc.moderation.words import fold


def normalise(kind: str, value: str) -> str:
    """The stored form of a banned value: e-mails lower case, names folded, IP hashes as is."""
    value = (value or "").strip()
    if kind == BanKind.EMAIL:
        return value.lower()
    if kind == BanKind.NAME:
        return " ".join(fold(value).split())
    return value


# Built once (every comment post runs it), and read as a plain row: only the kind is wanted,
# and loading a Ban into the session cost more than the probe. A value left NULL matches no ban.
_BAN_IN_FORCE = (
    select(Ban.kind)
    .where(
        Ban.site_id == bindparam("site_id"),
        or_(
            *(
                and_(Ban.kind == kind, Ban.value == bindparam(kind.value))
                for kind in (BanKind.EMAIL, BanKind.IP, BanKind.NAME)
            )
        ),
        or_(Ban.expires_at.is_(None), Ban.expires_at > bindparam("now")),
    )
    .limit(1)
)


def banned_kind(
    site: Site,
    *,
    email: str | None,
    ip_hash: str | None,
    name: str | None,
    now: datetime | None = None,
) -> str | None:
    """The kind of a ban in force against any of these identities ("email", "ip", "name")."""
    wanted = {
        BanKind.EMAIL.value: normalise(BanKind.EMAIL, email or "") or None,
        BanKind.IP.value: ip_hash or None,
        BanKind.NAME.value: normalise(BanKind.NAME, name or "") or None,
    }
    if not any(wanted.values()):
        return None
    params = {"site_id": site.id, "now": now or utcnow(), **wanted}
    return db.session.connection().execute(_BAN_IN_FORCE, params).scalar()


def add_ban(
    site_id: int, kind: str, value: str, *, reason: str = "", moderator_id: int | None = None
) -> Ban | None:
    """Add a ban in the caller's transaction; None when the value is empty or already banned."""
    value = normalise(kind, value)
    if not value:
        return None
    existing = db.session.scalar(
        select(Ban).where(Ban.site_id == site_id, Ban.kind == kind, Ban.value == value)
    )
    if existing is not None:
        return None
    ban = Ban(site_id=site_id, kind=kind, value=value, reason=reason, moderator_id=moderator_id)
    db.session.add(ban)
    return ban
