"""Is a link in a comment a link to the page the comment is posted under?

Readers link to the page they comment on ("best part at 2:19" with a timestamped link to the
video, an article quoted with its own address): that is no sign of spam, unlike a link
elsewhere. One page has many spellings, so both sides are reduced to a key first: a YouTube
video is its id whatever the share form (``youtu.be/ID``, ``youtube.com/watch?v=ID&t=2m19s``,
``m.youtube.com``, ``/embed/ID``, ``/shorts/ID``, a bare ``/watch?v=ID``); any other page is
its host without ``www.``, its path without trailing slash, and its query without tracking
parameters; scheme, port 80/443, fragment and case of the host do not count.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
_VIDEO_ID_RE = re.compile(r"^[\w-]{6,20}$")
_PATH_ID_RE = re.compile(r"^/(?:embed|shorts|v|live)/([\w-]{6,20})")
# Campaign and click identifiers say nothing about which page it is.
_TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src"}
_MAX_URL = 2048
# A host name: letters, digits, dots and hyphens, with at least one dot ("not a url" is none).
_HOST_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")


def _video_id(host: str, path: str, query: str) -> str | None:
    """The YouTube video a link shows, or None when it is no YouTube video link."""
    if host == "youtu.be":
        candidate = path.strip("/").split("/")[0]
        return candidate if _VIDEO_ID_RE.match(candidate) else None
    if host not in _YOUTUBE_HOSTS:
        return None
    if path.rstrip("/") == "/watch":
        candidate = dict(parse_qsl(query)).get("v", "")
        return candidate if _VIDEO_ID_RE.match(candidate) else None
    match = _PATH_ID_RE.match(path)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=1024)
def page_key(url: str) -> str:
    """One spelling of the page a URL shows; "" when it is not a URL of a page."""
    url = (url or "").strip()
    if not url or len(url) > _MAX_URL:
        return ""
    if url.startswith(("/watch?", "watch?")):  # a YouTube link pasted without its domain
        url = "https://www.youtube.com/" + url.lstrip("/")
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    if not _HOST_RE.match(host):
        return ""
    video = _video_id(host, parts.path, parts.query)
    if video is not None:
        return f"youtube:{video}"
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (name, value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
            if not (name.lower().startswith("utm_") or name.lower() in _TRACKING)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}" + (f"?{query}" if query else "")


def same_page(link: str, page_url: str) -> bool:
    """True when ``link`` shows the page at ``page_url`` (False when either is no page URL)."""
    page = page_key(page_url)
    return bool(page) and page_key(link) == page
