"""The iframe page and its thread fragment: cached renderings, ETags, the reader's own parts."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import time

from flask import Response, current_app, make_response, render_template, request
from flask_babel import gettext as _

from commentsvc import caching, edge
from commentsvc.comments import embed, services
from commentsvc.comments.forms import CommentForm, LikeForm, ReportForm
from commentsvc.comments.formtoken import issue_form_token
from commentsvc.comments.reading import ThreadComment, ThreadPage
from commentsvc.comments.rendering import render_thread_fragment
from commentsvc.comments.views import _int_arg, _lang, _site, bp
from commentsvc.models import Site


def _find(comments: list[ThreadComment], comment_id: int) -> ThreadComment | None:
    for comment in comments:
        if comment.id == comment_id:
            return comment
        found = _find(comment.replies, comment_id)
        if found is not None:
            return found
    return None


def _page_form(site: Site, page: ThreadPage, form: CommentForm | None) -> CommentForm:
    if form is None:
        form = CommentForm(formdata=None, data=embed.read_cookie_author(request))
        form.remember.data = bool(form.author.data)
        form.parent_id.data = str(_int_arg("reply") or "")
    form.require_for(site)
    form.url.data = page.url
    form.title.data = request.args.get("title") or (page.thread.title if page.thread else "")
    form.token.data = issue_form_token(site.name, page.url)
    return form


def render_page(
    site: Site,
    url: str,
    *,
    form: CommentForm | None = None,
    status: int = 200,
    message: str | None = None,
) -> Response:
    """The iframe page: header, reader's own comments, form, and the shared thread fragment."""
    args = request.args
    lang = _lang()
    view = caching.thread_view(
        "thread_html",
        site,
        url,
        lang=lang,
        sort=args.get("sort", "oldest"),
        cursor=args.get("cursor") or None,
    )
    keys = {**embed.read_cookie_keys(request), **embed.read_mine(args.get("mine"))}
    own = services.get_own_comments(site, view.url, keys)
    personal = form is not None or message is not None or bool(own)
    etag = None if personal else _page_etag(view)
    if etag and caching.is_fresh(etag):
        return _page_headers(caching.not_modified(etag), site, embed.new_nonce(), etag)
    nonce = embed.new_nonce()
    if personal or request.cookies.get(embed.COOKIE_AUTHOR):
        html = _page_html(site, view, lang, nonce, form=form, own=own, keys=keys, message=message)
    else:
        html = _shared_page_html(site, view, lang, nonce)
    return _page_headers(make_response(html, status), site, nonce, etag)


def _slot(name: str) -> str:
    return _slot_for(current_app.config["SECRET_KEY"], name)


@functools.cache
def _slot_for(secret: str, name: str) -> str:
    # Unguessable placeholders: no comment text can contain one by chance or on purpose.
    # Computed once per key and name, not on every page served.
    digest = hashlib.sha256(secret.encode() + b":page-slot:" + name.encode())
    return "slot" + digest.hexdigest()[:24]


def _shared_page_html(site: Site, view: caching.ThreadView, lang: str, nonce: str) -> bytes:
    """The page as every reader without personal data gets it: rendered once per thread
    version and address, then only the form token and the script nonce are filled in."""
    token_slot, nonce_slot = _slot("token"), _slot("nonce")
    page_view = dataclasses.replace(
        view,
        kind="iframe_page",
        extra=(*view.extra, request.query_string, view.header().closed),
    )

    def render() -> tuple[bytes | str, ...]:
        html = _page_html(site, view, lang, nonce_slot, token=token_slot)
        return caching.split_slots(html, {token_slot: "token", nonce_slot: "nonce"})

    parts = caching.cached(page_view, render)
    token = issue_form_token(site.name, view.url)
    edge.offer(view, nonce=nonce, token=token, token_for=(site.name, view.url))
    return caching.fill_slots(parts, {"token": token, "nonce": nonce})


def _page_html(
    site: Site,
    view: caching.ThreadView,
    lang: str,
    nonce: str,
    *,
    form: CommentForm | None = None,
    own: list | None = None,
    keys: dict[int, str] | None = None,
    message: str | None = None,
    token: str | None = None,
) -> str:
    args = request.args
    page, fragment = caching.render_thread(view, lambda p: render_thread_fragment(p, lang=lang))
    act, act_id = args.get("act"), _int_arg("c")
    if (act in {"like", "report"} or _int_arg("reply") or form is not None) and not page.comments:
        # The no-JavaScript reply and action forms name a comment of the page: read it.
        page = services.get_thread_page(site, view.url, sort=view.sort, cursor=view.cursor)
    form = _page_form(site, page, form)
    if token is not None:
        form.token.data = token
    parent_id = form.parent()
    done = DONE_MESSAGES.get(args.get("done", ""))
    if message is None and done is not None:
        message, status_kind = done(), "success"
    else:
        status_kind = "error"
    return render_template(
        "embed/page.html",
        site=site,
        page=page,
        form=form,
        own=own or [],
        mine_keys=keys or {},
        mine=args.get("mine") or "",
        token=form.token.data,
        reply_to=_find(page.comments, parent_id) if parent_id else None,
        action=(act, act_id, _find(page.comments, act_id))
        if act in {"like", "report"} and act_id is not None
        else None,
        like_form=LikeForm(formdata=None),
        report_form=ReportForm(formdata=None),
        fragment=fragment,
        message=message,
        message_kind=status_kind,
        lang=lang,
        nonce=nonce,
        page_origin=embed.page_origin(page.url),
    )


def _page_etag(view: caching.ThreadView) -> str:
    """The page's validator: its thread rendering, its address, the remembered author, and
    the hour, so that a page kept by the browser never holds a form token hours old."""
    return caching.content_etag(
        view.digest,
        request.query_string,
        request.cookies.get(embed.COOKIE_AUTHOR),
        int(time.time() // 3600),
    )


def _page_headers(response: Response, site: Site, nonce: str, etag: str | None) -> Response:
    response = embed.apply_embed_headers(response, site, nonce)
    if etag:
        caching.with_validator(response, etag)
        # Personal (the form may hold the reader's name), but worth revalidating.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/embed/<site_name>")
def embed_page(site_name: str) -> Response:
    site = _site(site_name, recent=True)
    return render_page(site, request.args.get("url", ""))


@bp.get("/embed/<site_name>/thread")
def thread_fragment(site_name: str) -> Response:
    """Just the comments of one page of a thread ("more comments" without reloading)."""
    site = _site(site_name, recent=True)
    lang = _lang()
    view = caching.thread_view(
        "thread_html",
        site,
        request.args.get("url", ""),
        lang=lang,
        sort=request.args.get("sort", "oldest"),
        cursor=request.args.get("cursor") or None,
    )

    def build() -> Response:
        _page, html = caching.render_thread(view, lambda p: render_thread_fragment(p, lang=lang))
        return embed.apply_embed_headers(make_response(html), site, embed.new_nonce())

    response = caching.conditional(view.etag, build)
    if response.status_code == 304:
        embed.apply_embed_headers(response, site, embed.new_nonce())
        caching.with_validator(response, view.etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


DONE_MESSAGES = {
    "edit": lambda: _("Your comment has been changed."),
    "delete": lambda: _("Your comment has been deleted."),
    "like": lambda: _("Thank you!"),
    "report": lambda: _("Thank you, the moderators will have a look."),
}
