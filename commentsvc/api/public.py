"""Public reader endpoints of API v1: each parses, calls one reader service, and answers."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app, request
from flask_babel import refresh

from commentsvc import caching, edge
from commentsvc.api import cors
from commentsvc.api.lookup import require_site
from commentsvc.api.problems import ApiError
from commentsvc.api.registry import Header, operation
from commentsvc.api.schemas import (
    CommentEdit,
    CommentOut,
    Counts,
    CountsQuery,
    EditedComment,
    LikeResult,
    NewComment,
    NewReport,
    PostedComment,
    ReportResult,
    ThreadPage,
    ThreadQuery,
)
from commentsvc.comments import services
from commentsvc.comments.reading import count_published
from commentsvc.models import Comment, Status
from commentsvc.moderation.limits import limit_comment_posts

bp = Blueprint("api", __name__, url_prefix="/api/v1")
cors.install(bp)
# The reader's language for this request (a reused app context keeps the previous one).
bp.before_request(refresh)

TAG = "comments"
COMMENT = "/comments/<int:comment_id>"
EDIT_KEY = Header("X-Edit-Key", "The edit key returned when the comment was posted.", True)
READER_KEY = Header("X-Reader-Key", "A random key kept by the reader's browser (one like each).")


def _reader() -> services.Reader:
    return services.Reader(
        ip=request.remote_addr,
        user_agent=request.user_agent.string or "",
        browser_key=request.headers.get("X-Reader-Key") or None,
    )


def _spam_model():
    return current_app.extensions["spam_model"]


def comment_out(node: services.ThreadComment) -> CommentOut:
    """The whitelisted public fields of a comment (and of its replies)."""
    return CommentOut(
        id=node.id,
        parent_id=node.parent_id,
        author=node.author_name,
        website=node.author_website,
        avatar=node.avatar_hash,
        body_html=node.body_html,
        created_at=node.created_at,
        edited_at=node.edited_at,
        likes=node.likes_count,
        deleted=node.deleted,
        level=node.level,
        reply_to=node.reply_to,
        reply_to_id=node.reply_to_id,
        replies=[comment_out(reply) for reply in node.replies],
    )


def _public_status(comment: Comment) -> str:
    # Spam is never announced to its author: it simply waits, like any held comment.
    return "published" if comment.status == Status.PUBLISHED else "pending"


def _call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except services.CommentError as exc:
        extra = {"code": exc.code}
        if exc.field:
            extra["errors"] = [{"field": f"body.{exc.field}", "message": exc.message}]
        raise ApiError(exc.status, exc.message, **extra) from exc


@operation(
    bp,
    "/sites/<site>/comments",
    "GET",
    summary="One page of a page's thread",
    tag=TAG,
    query=ThreadQuery,
    responses={200: ThreadPage, 304: None},
    errors=(400, 403, 404, 422),
)
def thread(site: str, query: ThreadQuery) -> Response:
    """Top-level comments with all their replies; follow ``next_cursor`` for more."""
    found = require_site(site, recent=True)
    cors.remember_site(found)
    # The JSON speaks no language: one cached rendering serves every reader.
    view = _call(
        caching.thread_view,
        "thread_json",
        found,
        query.url,
        lang="",
        sort=query.sort,
        cursor=query.cursor,
    )

    def build() -> Response:
        _page, body = _call(caching.render_thread, view, _thread_json)
        edge.offer(view)
        return Response(body, mimetype="application/json")

    return caching.conditional(view.etag, build)


def _thread_json(page: services.ThreadPage) -> bytes:
    # Bytes, so that a cache hit is sent as stored, without encoding it again.
    return (
        ThreadPage(
            url=page.url,
            title=page.thread.title if page.thread else "",
            count=page.total,
            closed=page.closed,
            sort=page.sort,
            comments=[comment_out(node) for node in page.comments],
            next_cursor=page.next_cursor,
        )
        .model_dump_json()
        .encode()
    )


@operation(
    bp,
    "/sites/<site>/comments",
    "POST",
    summary="Post a comment (201 published, 202 held for review)",
    tag=TAG,
    body=NewComment,
    responses={201: PostedComment, 202: PostedComment},
    errors=(400, 403, 404, 409, 413, 415, 422, 429),
    # The same counters as the form post: switching paths buys no extra allowance.
    decorators=(limit_comment_posts,),
)
def post(site: str, body: NewComment) -> tuple[PostedComment, int]:
    """Keep the returned ``edit_key``: it is the only way to edit or delete the comment."""
    found = require_site(site, recent=True)
    cors.remember_site(found)
    new = services.NewComment(**body.model_dump())
    posted = _call(services.post_comment, found, new, reader=_reader(), spam_model=_spam_model())
    comment = posted.comment
    window = timedelta(seconds=found.edit_window_seconds)
    answer = PostedComment(
        comment=comment_out(services.ThreadComment.of(comment)),
        status=_public_status(comment),
        edit_key=posted.edit_key,
        edit_until=comment.created_at + window,
    )
    return answer, 201 if posted.published else 202


@operation(
    bp,
    COMMENT,
    "PATCH",
    summary="Edit one's own comment within the edit window",
    tag=TAG,
    body=CommentEdit,
    headers=(EDIT_KEY,),
    responses={200: EditedComment},
    errors=(400, 403, 404, 410, 413, 415, 422),
)
def edit(comment_id: int, body: CommentEdit) -> EditedComment:
    """A published comment whose new text looks like spam goes back to review."""
    edit = services.CommentEdit(body=body.body, edit_key=request.headers.get("X-Edit-Key", ""))
    comment = _call(services.edit_comment, comment_id, edit, spam_model=_spam_model())
    return EditedComment(
        comment=comment_out(services.ThreadComment.of(comment)), status=_public_status(comment)
    )


@operation(
    bp,
    COMMENT,
    "DELETE",
    summary="Delete one's own comment within the edit window",
    tag=TAG,
    headers=(EDIT_KEY,),
    responses={204: None},
    errors=(403, 404, 410),
)
def delete(comment_id: int) -> Response:
    """The text goes; a placeholder stays while replies hang under it."""
    key = request.headers.get("X-Edit-Key", "")
    _call(services.delete_comment, comment_id, edit_key=key)
    return Response(status=204)


@operation(
    bp,
    COMMENT + "/like",
    "POST",
    summary="Like a published comment (once per reader)",
    tag=TAG,
    headers=(READER_KEY,),
    responses={200: LikeResult},
    errors=(400, 404, 409),
)
def like(comment_id: int) -> LikeResult:
    """409 when this reader already likes it."""
    likes = _call(services.like_comment, comment_id, reader=_reader())
    return LikeResult(likes=likes, liked=True)


@operation(
    bp,
    COMMENT + "/report",
    "POST",
    summary="Report a published comment to the moderators",
    tag=TAG,
    body=NewReport,
    headers=(READER_KEY,),
    responses={201: ReportResult},
    errors=(400, 404, 409, 413, 415, 422),
)
def report(comment_id: int, body: NewReport) -> tuple[ReportResult, int]:
    """Enough reports send the comment back to review."""
    _call(
        services.report_comment,
        comment_id,
        reason=body.reason,
        detail=body.detail,
        reader=_reader(),
    )
    return ReportResult(reported=True), 201


@operation(
    bp,
    "/sites/<site>/counts",
    "GET",
    summary="Published comment counts for up to 100 pages",
    tag=TAG,
    query=CountsQuery,
    responses={200: Counts},
    errors=(404, 422),
)
def counts(site: str, query: CountsQuery) -> Response:
    """Unknown pages count 0. The keys are the URLs exactly as asked."""
    found = require_site(site, recent=True)
    cors.remember_site(found)
    body = Counts(counts=count_published(found, query.url)).model_dump_json()
    response = Response(body, mimetype="application/json")
    # One indexed query anyway; the validator spares the download.
    response.set_etag(caching.content_etag(body), weak=True)
    return response.make_conditional(request)
