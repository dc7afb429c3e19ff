"""The iframe page and its form posts. Thin: parse the form, call one service, render."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from typing import Any
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from commentsvc import caching
from commentsvc.comments import embed, services
from commentsvc.comments.errors import CommentError
from commentsvc.comments.forms import CommentForm, LikeForm, ReportForm
from commentsvc.comments.formtoken import FormToken, check_form_token, issue_form_token
from commentsvc.comments.reading import ThreadComment, ThreadPage
from commentsvc.comments.rendering import count_text, render_comment, render_thread_fragment
from commentsvc.comments.urls import resolve_page_url
from commentsvc.comments.validation import has_forbidden_characters
from commentsvc.errors import error_page
from commentsvc.extensions import csrf
from commentsvc.i18n import use_site_language
from commentsvc.models import Site
from commentsvc.moderation.limits import limit_comment_posts
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


def _site(name: str, *, reading: bool = False) -> Site:
    site = caching.site_for_reading(name) if reading else get_site(name)
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


def _find(comments: list[ThreadComment], comment_id: int) -> ThreadComment | None:
    for comment in comments:
        if comment.id == comment_id:
            return comment
        found = _find(comment.replies, comment_id)
        if found is not None:
            return found
    return None


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


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
    # Unguessable placeholders: no comment text can contain one by chance or on purpose.
    secret = current_app.config["SECRET_KEY"].encode()
    return "slot" + hashlib.sha256(secret + b":page-slot:" + name.encode()).hexdigest()[:24]


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
    site = _site(site_name, reading=True)
    return render_page(site, request.args.get("url", ""))


@bp.get("/embed/<site_name>/thread")
def thread_fragment(site_name: str) -> Response:
    """Just the comments of one page of a thread ("more comments" without reloading)."""
    site = _site(site_name, reading=True)
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
    site = _site(site_name)
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


DONE_MESSAGES = {
    "edit": lambda: _("Your comment has been changed."),
    "delete": lambda: _("Your comment has been deleted."),
    "like": lambda: _("Thank you!"),
    "report": lambda: _("Thank you, the moderators will have a look."),
}


# The edit, delete, like and report routes live on the same blueprint.
from commentsvc.comments import actions  # noqa: E402, F401
