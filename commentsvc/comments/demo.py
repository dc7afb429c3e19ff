"""The demo: a French tech-news article page with the comments embedded under it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from commentsvc.sites import get_site

bp = Blueprint("demo", __name__)

DEMO_SITE = "demo"


@bp.get("/demo/")
def article() -> str:
    site = get_site(DEMO_SITE)
    if site is None:
        abort(404, _("The demo site does not exist yet: run “commentsvc demo” first."))
    return render_template(
        "demo/article.html",
        site=site,
        canonical=request.url_root + "demo/",
        others=[request.url_root + f"demo/?article={n}" for n in (2, 3)],
    )
