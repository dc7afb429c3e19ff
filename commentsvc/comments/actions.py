"""The iframe's small actions on one comment: edit, delete (own), like, report.

Same blueprint and same rules as the comment form: the signed form token, one service call,
JSON for the page's script, a redirect back to the comment otherwise.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, redirect
from flask_babel import gettext as _

from commentsvc.comments import embed, services
from commentsvc.comments.errors import CommentError
from commentsvc.comments.forms import DeleteForm, EditForm, LikeForm, ReportForm
from commentsvc.comments.page_views import DONE_MESSAGES
from commentsvc.comments.post_views import _reader, _token
from commentsvc.comments.views import _back, _site, bp, wants_json
from commentsvc.models import Site


def _checked(form: Any, site: Site) -> None:
    _token(form, site)
    if not form.validate():
        field, errors = next((n, f.errors) for n, f in form._fields.items() if f.errors)
        raise CommentError(422, errors[0], field=field, code="invalid")


def _done(site: Site, form: Any, comment_id: int, done: str, **data: Any) -> Response:
    """JSON for the page's script; else back to the thread with a one-line confirmation."""
    if wants_json():
        return jsonify(ok=True, id=comment_id, message=DONE_MESSAGES[done](), **data)
    params: dict[str, Any] = {"done": done}
    if done == "edit":
        params["mine"] = embed.sign_mine(comment_id, form.edit_key.data)
    return redirect(_back(site, form.url.data, comment_id, **params), 303)


@bp.post("/embed/<site_name>/comments/<int:comment_id>/edit")
def edit_comment(site_name: str, comment_id: int) -> Response:
    site = _site(site_name)
    form = EditForm()
    _checked(form, site)
    comment = services.edit_comment(
        comment_id,
        services.CommentEdit(body=form.body.data or "", edit_key=form.edit_key.data or ""),
        spam_model=current_app.extensions["spam_model"],
        site=site,
    )
    return _done(
        site,
        form,
        comment.id,
        "edit",
        body_html=comment.body_html,
        status=str(comment.status),
        edited=_("edited"),
    )


@bp.post("/embed/<site_name>/comments/<int:comment_id>/delete")
def delete_comment(site_name: str, comment_id: int) -> Response:
    site = _site(site_name)
    form = DeleteForm()
    _checked(form, site)
    services.delete_comment(comment_id, edit_key=form.edit_key.data or "", site=site)
    return _done(site, form, comment_id, "delete")


@bp.post("/embed/<site_name>/comments/<int:comment_id>/like")
def like_comment(site_name: str, comment_id: int) -> Response:
    site = _site(site_name)
    form = LikeForm()
    _checked(form, site)
    likes = services.like_comment(comment_id, reader=_reader(key=form.reader_key.data), site=site)
    return _done(site, form, comment_id, "like", likes=likes)


@bp.post("/embed/<site_name>/comments/<int:comment_id>/report")
def report_comment(site_name: str, comment_id: int) -> Response:
    site = _site(site_name)
    form = ReportForm()
    _checked(form, site)
    services.report_comment(
        comment_id,
        reason=form.reason.data or "",
        detail=form.detail.data or "",
        reader=_reader(key=form.reader_key.data),
        site=site,
    )
    return _done(site, form, comment_id, "report")
