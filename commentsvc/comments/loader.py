"""What publishers' pages load: the embed.js loader, comment counts, avatars."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import gettext as _

from commentsvc.caching import content_etag, recent_site
from commentsvc.comments import services
from commentsvc.comments.avatars import identicon_svg
from commentsvc.comments.rendering import count_text
from commentsvc.i18n import use_site_language

bp = Blueprint("loader", __name__)

AVATAR_HASH = re.compile(r"^[0-9a-f]{8,64}$")
MAX_COUNT_URLS = 100
YEAR = 365 * 24 * 3600


@bp.get("/embed.js")
def embed_js() -> Response:
    path = Path(current_app.static_folder or "static") / "embed" / "embed.js"
    response = Response(path.read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.add_etag()
    response.make_conditional(request)
    # Publishers' pages load it from any origin.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/avatar/<seed>.svg")
def avatar(seed: str) -> Response:
    if not AVATAR_HASH.match(seed):
        abort(404)
    response = Response(identicon_svg(seed), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    # An SVG opened directly must not run anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/embed/<site_name>/counts")
def counts(site_name: str) -> Response:
    """Counts and their words for the loader's count links and "click to comment" buttons."""
    site = recent_site(site_name)
    if site is None:
        abort(404, _("There is no site named “%(name)s” here.", name=site_name))
    use_site_language(site.default_lang)
    urls = request.args.getlist("url")[:MAX_COUNT_URLS]
    found = services.count_published(site, urls)
    body = {
        url: {
            "count": n,
            "text": count_text(n),
            "button": _("Click to comment (%(num)d)", num=n),
        }
        for url, n in found.items()
    }
    response = jsonify(counts=body)
    origin = request.headers.get("Origin")
    if origin in set(site.origins):
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "public, max-age=60"
    # Computed from one indexed query anyway: the validator spares the download.
    response.set_etag(content_etag(body), weak=True)
    return response.make_conditional(request)
