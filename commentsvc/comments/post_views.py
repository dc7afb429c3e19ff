"""The comment form's post: token, form, one service call, then JSON or back to the page."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, make_response, redirect, request, url_for
from flask_babel import gettext as _

from commentsvc.comments import embed, services
from commentsvc.comments.errors import CommentError
from commentsvc.comments.forms import CommentForm
from commentsvc.comments.formtoken import FormToken, check_form_token
from commentsvc.comments.page_views import render_page
from commentsvc.comments.reading import ThreadComment
from commentsvc.comments.rendering import count_text, render_comment
from commentsvc.comments.views import _back, _lang, _site, bp, wants_json
from commentsvc.models import Site
from commentsvc.moderation.limits import limit_comment_posts
from commentsvc.security_log import note_refusal


def _token(form: Any, site: Site) -> FormToken:
    return check_form_token(form.token.data, site=site.name, url=form.url.data or "")


def _reader(token: FormToken | None = None, *, key: str | None = None, honeypot: str = ""):
    return services.Reader(
        ip=request.remote_addr,
        user_agent=request.user_agent.string[:300],
        browser_key=(key or "")[:128] or None,
        seconds_to_fill=token.seconds_to_fill if token else None,
        honeypot=honeypot,
    )


def _form_failed(site: Site, form: CommentForm, exc: CommentError | None, status: int):
    """The form again, with the reader's text and the message where it belongs."""
    message = None
    fields = [name for name, field in form._fields.items() if field.errors]
    note_refusal(
        exc.code if exc else "form_invalid",
        fields=[*fields, *([exc.field] if exc and exc.field else [])],
    )
    if exc is not None:
        if exc.field in {"body", "author", "email", "website"}:
            form[exc.field].errors = [*form[exc.field].errors, exc.message]
        else:
            message = exc.message
    if wants_json():
        errors = {name: list(field.errors) for name, field in form._fields.items() if field.errors}
        body = {"ok": False, "status": status, "errors": errors}
        body["message"] = message or _("Please correct the fields marked in red.")
        return make_response(jsonify(body), status)
    return render_page(site, form.url.data or "", form=form, status=status, message=message)


@bp.post("/embed/<site_name>/comments")
@limit_comment_posts
def post_comment(site_name: str) -> Response:
    site = _site(site_name, recent=True)
    form = CommentForm()
    try:
        token = _token(form, site)
    except CommentError as exc:
        if exc.code != "token_expired":
            raise
        return _form_failed(site, form, exc, 400)
    if not form.validate():
        return _form_failed(site, form, None, 422)
    new = services.NewComment(
        url=form.url.data,
        title=form.title.data or "",
        body=form.body.data or "",
        author=form.author.data or "",
        email=form.email.data or "",
        website=form.website.data or "",
        parent_id=form.parent(),
    )
    try:
        posted = services.post_comment(
            site,
            new,
            reader=_reader(token, honeypot=form.homepage.data or ""),
            spam_model=current_app.extensions["spam_model"],
        )
    except CommentError as exc:
        return _form_failed(site, form, exc, exc.status)
    return _posted(site, form, posted)


def _posted(site: Site, form: CommentForm, posted: services.PostedComment) -> Response:
    comment = posted.comment
    path = url_for("comments.embed_page", site_name=site.name)
    author = {k: form[k].data or "" for k in ("author", "email", "website")}
    if wants_json():
        view = ThreadComment.of(comment)
        view.level = min(comment.depth, max(1, site.max_depth))
        page = services.get_thread_page(site, form.url.data, limit=1)
        response = jsonify(
            ok=True,
            id=comment.id,
            parent_id=comment.parent_id,
            status=str(comment.status),
            edit_key=posted.edit_key,
            html=render_comment(view, page, lang=_lang()),
            count_text=count_text(page.total),
            message=_("Your comment is published.")
            if posted.published
            else _("Thank you! Your comment is awaiting moderation."),
        )
        response.status_code = 201 if posted.published else 202
    else:
        mine = embed.sign_mine(comment.id, posted.edit_key)
        response = redirect(_back(site, form.url.data, comment.id, mine=mine), 303)
    embed.remember_keys(response, request, path, comment.id, posted.edit_key)
    embed.remember_author(response, request, path, author if form.remember.data else None)
    return response
