"""Page URLs in one canonical form, so that one article is one thread however it is linked."""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask_babel import gettext as _

from commentsvc.comments.errors import CommentError
from commentsvc.comments.validation import MAX_WEBSITE, has_forbidden_characters
from commentsvc.models import Site
from commentsvc.sites import url_belongs_to_site

MAX_URL_LENGTH = 2048
# Campaign and click identifiers: the same article shared on social networks stays one thread.
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src"}


def _is_tracking(name: str) -> bool:
    return name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS


# Readers ask about the same few pages over and over (counts for 50 links per page view).
@functools.lru_cache(maxsize=2048)
def canonical_url(url: str) -> str | None:
    """``HTTPS://Ex.fr:443/a?utm_source=x#c3`` -> ``https://ex.fr/a``; None if not a page URL."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    )
    return urlunsplit((scheme, host, remove_dot_segments(parts.path), query, ""))


def remove_dot_segments(path: str) -> str:
    """``/a/./b/../c`` -> ``/a/c`` (RFC 3986, 5.2.4): one page, one spelling, one thread."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def resolve_page_url(site: Site, url: str) -> str:
    """The canonical form of a page URL of ``site``; 400 if not a URL, 403 if not the site's."""
    if has_forbidden_characters(url or ""):
        raise CommentError(400, _("The page address contains invalid characters."), code="url")
    canonical = canonical_url(url)
    if canonical is None:
        raise CommentError(400, _("The page address is missing or not valid."), code="url")
    if not url_belongs_to_site(canonical, site):
        message = _(
            "This page is not part of the site “%(site)s”: comments are off here.", site=site.name
        )
        raise CommentError(403, message, code="foreign_url")
    return canonical


def normalise_website(value: str) -> str | None:
    """An http(s) URL (``example.fr`` gets ``https://``), or None when it is not one."""
    if not value or len(value) > MAX_WEBSITE:
        return None
    if "://" not in value:
        value = "https://" + value
    host = value.split("://", 1)[1].split("/")[0]
    return canonical_url(value) if "." in host else None
