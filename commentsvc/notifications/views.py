"""The one-click unsubscribe link of reply e-mails (RFC 8058 for mail clients too)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _

from commentsvc.extensions import csrf
from commentsvc.i18n import use_site_language
from commentsvc.notifications import events, mail  # noqa: F401  (registers the channel)

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authorisation; mail clients post without a form
def unsubscribe(token: str):
    """GET shows a one-button page (link scanners must not unsubscribe); POST unsubscribes."""
    found = events.read_unsubscribe_token(token)
    if found is None:
        abort(400, _("This unsubscribe link is not valid. Please use the link from the e-mail."))
    if request.method == "GET":
        return render_template("notifications/unsubscribe.html", token=token, done=False)
    result = events.unsubscribe(token)
    if result is None:
        abort(404, _("This unsubscribe link no longer matches any comment."))
    site, email = result
    use_site_language(site.default_lang)
    return render_template("notifications/unsubscribe.html", done=True, email=email)
