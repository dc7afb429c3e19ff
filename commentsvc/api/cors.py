"""CORS for the public API: only the origins of the site a request is about."""

from __future__ import annotations

from flask import Blueprint, Response, g, request
from flask_babel import gettext as _

from commentsvc.models import Site

ALLOWED_HEADERS = "Content-Type, Accept-Language, X-Edit-Key, X-Reader-Key"
MAX_AGE_SECONDS = 600


def remember_site(site: Site) -> None:
    """Views call this once they know which site the request is about."""
    g.api_site_origins = list(site.origins)


def _site_origins() -> list[str]:
    origins = getattr(g, "api_site_origins", None)
    if origins is not None:
        return origins
    # Preflight requests never reach the view: find the site from the URL.
    from commentsvc.api.lookup import site_for_view_args

    site = site_for_view_args(request.view_args or {})
    return list(site.origins) if site else []


def add_cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if not origin or origin not in _site_origins():
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH, DELETE"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE_SECONDS)
    return response


def refuse_foreign_origin() -> Response | None:
    """A browser sending a state-changing call from another site's page is refused (403).

    Calls without an Origin header (servers, scripts) carry no browser's ambient trust and pass.
    """
    origin = request.headers.get("Origin")
    if request.method in {"GET", "HEAD", "OPTIONS"} or origin is None:
        return None
    from commentsvc.api.lookup import site_for_view_args

    site = site_for_view_args(request.view_args or {})
    if site is None or origin in site.origins:
        return None  # an unknown site or comment gets its 404 from the view
    from commentsvc.errors import problem
    from commentsvc.security_log import note_refusal

    note_refusal("foreign_origin")
    return problem(403, _("You are not allowed to do this."))


def install(bp: Blueprint) -> None:
    bp.before_request(refuse_foreign_origin)
    bp.after_request(add_cors_headers)
