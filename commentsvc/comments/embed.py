"""What makes the iframe page safe to frame and usable without third-party cookies.

CSP and headers for the embed page, the reader's own-comment keys carried on the redirect
(signed, for browsers without JavaScript) and in a partitioned cookie (HTTPS only), and the
remembered name / e-mail / website.
"""

from __future__ import annotations

import secrets

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from commentsvc.models import Site

MINE_SALT = "commentsvc.mine"
MINE_MAX_AGE = 7 * 24 * 3600
COOKIE_KEYS = "commentsvc_mine"
COOKIE_AUTHOR = "commentsvc_author"
MAX_KEYS = 30


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def embed_csp(site: Site, nonce: str) -> str:
    """Only the site's own origins may frame the thread; scripts only from us."""
    ancestors = " ".join(site.origins) or "'none'"
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


def apply_embed_headers(response: Response, site: Site, nonce: str) -> Response:
    response.headers["Content-Security-Policy"] = embed_csp(site, nonce)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    # Framing is governed by frame-ancestors; X-Frame-Options cannot name several origins.
    response.headers.pop("X-Frame-Options", None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _mine_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=MINE_SALT)


def sign_mine(comment_id: int, edit_key: str) -> str:
    """The redirect parameter that lets a browser without storage see its own comment."""
    return _mine_serializer().dumps([comment_id, edit_key])


def read_mine(value: str | None) -> dict[int, str]:
    if not value:
        return {}
    try:
        comment_id, key = _mine_serializer().loads(value, max_age=MINE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return {}
    return {int(comment_id): str(key)} if isinstance(comment_id, int) else {}


def _cookie_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="commentsvc.cookie")


def read_cookie_keys(request: Request) -> dict[int, str]:
    try:
        pairs = _cookie_serializer().loads(request.cookies.get(COOKIE_KEYS, ""))
        return {int(i): str(k) for i, k in pairs}
    except (BadSignature, ValueError, TypeError):
        return {}


def read_cookie_author(request: Request) -> dict[str, str]:
    try:
        data = _cookie_serializer().loads(request.cookies.get(COOKIE_AUTHOR, ""))
    except (BadSignature, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: str(data.get(k, ""))[:500] for k in ("author", "email", "website")}


def _set_partitioned(response: Response, name: str, value: str, path: str) -> None:
    # Cross-site iframe: only a partitioned cookie (per top-level site) is still accepted.
    response.set_cookie(
        name,
        value,
        max_age=MINE_MAX_AGE,
        path=path,
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
    )


def remember_keys(
    response: Response, request: Request, path: str, comment_id: int, edit_key: str
) -> None:
    """Keep the edit key in a partitioned cookie; browsers only accept it over HTTPS."""
    if not request.is_secure:
        return
    keys = read_cookie_keys(request)
    keys[comment_id] = edit_key
    pairs = sorted(keys.items())[-MAX_KEYS:]
    _set_partitioned(response, COOKIE_KEYS, _cookie_serializer().dumps(pairs), path)


def remember_author(
    response: Response, request: Request, path: str, author: dict[str, str] | None
) -> None:
    """Remember (or, with None, forget) the reader's name, e-mail and website."""
    if not request.is_secure:
        return
    if author is None:
        response.delete_cookie(
            COOKIE_AUTHOR, path=path, secure=True, samesite="None", partitioned=True
        )
        return
    _set_partitioned(response, COOKIE_AUTHOR, _cookie_serializer().dumps(author), path)


def page_origin(url: str) -> str:
    """Origin of the host page, the only target of the iframe's messages."""
    from commentsvc.sites import origin_of

    return origin_of(url) or ""
