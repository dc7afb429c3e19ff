"""Sites: creation and the rules on their settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import bindparam, select

from commentsvc.extensions import db
from commentsvc.models import ModerationMode, Site

SITE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class SiteError(ValueError):
    """A site setting that cannot be accepted; the message says why."""


def normalise_origin(value: str) -> str:
    """``https://Example.fr/`` -> ``https://example.fr``; refuses anything but an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SiteError(f"{value!r} is not an http(s) origin such as https://www.example.fr")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise SiteError(f"{value!r} is not an origin: remove the path, query and credentials")
    host = parts.hostname.lower()
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}"


def validate_site_name(name: str) -> str:
    if not name or len(name) > 64 or not set(name) <= SITE_NAME_CHARS:
        raise SiteError(f"{name!r}: a site name is 1 to 64 lower-case letters, digits, '-' or '_'")
    return name


# Built once: every request of the iframe and the API looks its site up.
_SITE_NAMED = select(Site).where(Site.name == bindparam("name"))


def get_site(name: str) -> Site | None:
    return db.session.scalar(_SITE_NAMED, {"name": name})


def create_site(
    name: str,
    *,
    origins: list[str],
    mode: str = ModerationMode.AUTO,
    lang: str = "fr",
) -> Site:
    """Register a site; refuses a taken name, a bad origin, mode or language."""
    validate_site_name(name)
    if not origins:
        raise SiteError("a site needs at least one origin")
    if mode not in set(ModerationMode):
        raise SiteError(f"mode {mode!r}: expected pre, post or auto")
    if lang not in {"fr", "en"}:
        raise SiteError(f"language {lang!r}: expected fr or en")
    if get_site(name) is not None:
        raise SiteError(f"a site named {name!r} already exists")
    site = Site(
        name=name,
        origins=sorted({normalise_origin(o) for o in origins}),
        moderation_mode=mode,
        default_lang=lang,
    )
    db.session.add(site)
    db.session.commit()
    return site


def origin_of(url: str) -> str | None:
    """The origin of a page URL, normalised like site origins, or None if it has none."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return None
        return normalise_origin(f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}")
    except (SiteError, ValueError):
        return None


def url_belongs_to_site(url: str, site: Site) -> bool:
    return origin_of(url) in set(site.origins)
