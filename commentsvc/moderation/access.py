"""Who may moderate what: admins every site, moderators their own sites only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from commentsvc.extensions import db
from commentsvc.models import Moderator, Site
from commentsvc.moderation.errors import ModerationError


def allowed_site_ids(moderator: Moderator) -> set[int] | None:
    """The sites a moderator works on; None means every site (an admin)."""
    if moderator.is_admin:
        return None
    return {site.id for site in moderator.sites}


def can_access_site(moderator: Moderator, site_id: int | None) -> bool:
    allowed = allowed_site_ids(moderator)
    return allowed is None or (site_id is not None and site_id in allowed)


def require_site(moderator: Moderator, site_id: int | None) -> None:
    """Refuse (403) unless the moderator works on that site."""
    if not can_access_site(moderator, site_id):
        raise ModerationError(403, _l("You do not moderate this site."), code="other_site")


def require_admin(moderator: Moderator) -> None:
    if not moderator.is_admin:
        raise ModerationError(403, _l("Only administrators can do this."), code="admin_only")


def visible_sites(moderator: Moderator) -> list[Site]:
    """The sites a moderator may see, by name."""
    query = select(Site).order_by(Site.name)
    allowed = allowed_site_ids(moderator)
    if allowed is not None:
        query = query.where(Site.id.in_(allowed))
    return list(db.session.scalars(query))


def site_by_name(name: str, moderator: Moderator) -> Site:
    """A site the moderator works on: 404 if unknown, 403 if not theirs."""
    site = db.session.scalar(select(Site).where(Site.name == name))
    if site is None:
        raise ModerationError(404, _l("This site does not exist."), code="not_found")
    require_site(moderator, site.id)
    return site
