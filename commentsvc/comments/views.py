"""The iframe's blueprint: what every embed view shares (site, language, errors, links).

The views themselves live by concern: ``page_views`` (the page and its fragment),
``post_views`` (the comment form), ``actions`` (edit, delete, like, report).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from commentsvc import caching
from commentsvc.comments import embed
from commentsvc.comments.errors import CommentError
from commentsvc.comments.urls import resolve_page_url
from commentsvc.comments.validation import has_forbidden_characters
from commentsvc.errors import error_page
from commentsvc.extensions import csrf
from commentsvc.i18n import use_site_language
from commentsvc.models import Site
from commentsvc.security_log import note_refusal, reason_of
from commentsvc.sites import get_site

bp = Blueprint("comments", __name__)
# The signed form token replaces the session CSRF token, which needs a third-party cookie.
csrf.exempt(bp)

FORM_TYPE = "application/x-www-form-urlencoded"


def _undecodable(raw: bytes) -> bool:
    """Invalid UTF-8 once percent-decoded, NUL or control characters: refuse, do not repair."""
    try:
        pairs = parse_qsl(raw.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return True
    return any(has_forbidden_characters(k) or has_forbidden_characters(v) for k, v in pairs)


@bp.before_request
def _refuse_garbage() -> None:
    if _undecodable(request.query_string):
        abort(400, _("The request contains invalid characters."))
    if request.method == "POST":
        if request.mimetype != FORM_TYPE:
            abort(415)
        if _undecodable(request.get_data(cache=True)):
            abort(400, _("The request contains invalid characters."))


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _site(name: str, *, recent: bool = False) -> Site:
    site = caching.recent_site(name) if recent else get_site(name)
    if site is None:
        abort(404, _("There is no site named “%(name)s” here.", name=name))
    g.embed_site = site
    use_site_language(site.default_lang)
    return site


def _lang() -> str:
    return str(get_locale())


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    """400/413/415 and the rest inside the iframe: same words as elsewhere, but frameable."""
    from commentsvc.errors import _describe

    note_refusal(reason_of(exc))
    if wants_json():
        body = {"ok": False, "status": exc.code, "message": _describe(exc)}
        return make_response(jsonify(body), exc.code or 500)
    return embed_error_page(exc.code or 500, _describe(exc))


@bp.errorhandler(CommentError)
def _comment_error(exc: CommentError) -> Response:
    note_refusal(exc.code, fields=[exc.field] if exc.field else [])
    if wants_json():
        body = {"ok": False, "status": exc.status, "code": exc.code, "message": exc.message}
        if exc.field:
            body["errors"] = {exc.field: [exc.message]}
        return make_response(jsonify(body), exc.status)
    return embed_error_page(exc.status, exc.message)


def status_title(status: int) -> str:
    """The error's name in the reader's language."""
    titles = {
        400: _("Invalid request"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Already done"),
        410: _("Gone"),
        413: _("Too large"),
        415: _("Unsupported content"),
        422: _("Cannot be accepted"),
        429: _("Too many requests"),
    }
    return titles.get(status) or HTTP_STATUS_CODES.get(status, "Error")


def _posted_url() -> str:
    """The page URL of a posted form, unless the body itself was refused (too large...)."""
    try:
        return request.form.get("url") or ""
    except HTTPException:
        # Reading it again would raise again, this time from inside the error handler: a 500.
        return ""


def embed_error_page(status: int, message: str) -> Response:
    """A readable error inside the iframe: frameable by the site, with a way back."""
    site = g.get("embed_site")
    if site is None:
        return error_page(status, message)
    url = request.args.get("url") or _posted_url()
    try:
        canonical = resolve_page_url(site, url)
    except CommentError:
        canonical = None
    html = render_template(
        "error.html",
        status=status,
        title=status_title(status),
        detail=message,
        back=_back(site, canonical) if canonical else None,
        page_origin=embed.page_origin(canonical) if canonical else None,
    )
    response = make_response(html, status)
    return embed.apply_embed_headers(response, site, embed.new_nonce())


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _back(site: Site, url: str, comment_id: int | None = None, **params: Any) -> str:
    target = url_for(
        "comments.embed_page",
        site_name=site.name,
        url=url,
        title=request.form.get("title") or None,
        lang=request.args.get("lang") or None,
        **params,
    )
    return target + (f"#c{comment_id}" if comment_id else "")


# The routes, by concern, on this blueprint.
from commentsvc.comments import actions, page_views, post_views  # noqa: E402, F401
