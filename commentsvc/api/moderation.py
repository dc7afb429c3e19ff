"""Moderator API: the admin's queue and decisions, with a personal token instead of a session.

Same services as the admin pages, so the same site permissions and the same audit log.
"""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import gettext as _
from flask_babel import refresh

from commentsvc.api.modschemas import (
    DecisionIn,
    ModComment,
    QueuePageOut,
    QueueQuery,
    ReasonOut,
    TabCounts,
)
from commentsvc.api.problems import ApiError
from commentsvc.api.registry import operation
from commentsvc.api.tokens import authenticate
from commentsvc.models import Comment, Moderator
from commentsvc.moderation import actions, queue
from commentsvc.moderation.errors import ModerationError
from commentsvc.reasons import describe

bp = Blueprint("api_moderation", __name__, url_prefix="/api/v1/moderation")
bp.before_request(refresh)
TAG = "moderation"
ERRORS = (401, 403, 404)


def _moderator() -> Moderator:
    moderator = authenticate(request.headers.get("Authorization"))
    if moderator is None:
        error = ApiError(401, _("A valid moderator token is needed (Authorization: Bearer …)."))
        raise error
    g.api_moderator = moderator
    return moderator


def _call(service, *args, **kwargs):
    try:
        return service(*args, **kwargs)
    except ModerationError as exc:
        raise ApiError(exc.status, str(exc.message), code=exc.code) from exc


def mod_comment(comment: Comment) -> ModComment:
    """What a moderator sees of a comment, as in the admin (the IP hash stays inside)."""
    thread = comment.thread
    reasons = [*(comment.rule_reasons or []), *(comment.spam_reasons or [])]
    return ModComment(
        id=comment.id,
        site=thread.site.name,
        thread_url=thread.url,
        thread_title=thread.title,
        parent_id=comment.parent_id,
        status=comment.status,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_website=comment.author_website,
        body_source=comment.body_source,
        body_html=comment.body_html,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        spam_score=comment.spam_score,
        reasons=[ReasonOut(code=r["code"], text=describe(r)) for r in reasons],
        reports_count=comment.reports_count,
        likes=comment.likes_count,
        revision=comment.revision,
    )


def _filter_args(query: QueueQuery) -> dict[str, str]:
    values = query.model_dump(by_alias=True, exclude_none=True)
    return {key: str(value) for key, value in values.items() if key != "limit"}


@operation(
    bp,
    "/queue",
    "GET",
    summary="The review queue with the admin's tabs, filters and sorts",
    tag=TAG,
    query=QueueQuery,
    responses={200: QueuePageOut},
    errors=(400, *ERRORS, 422),
    auth=True,
)
def queue_page(query: QueueQuery) -> QueuePageOut:
    """Keyset pages: pass ``next_cursor`` back as ``cursor``."""
    moderator = _moderator()
    filters = _call(queue.parse_filters, _filter_args(query))
    filters = type(filters)(**{**filters.__dict__, "limit": query.limit})
    page = _call(queue.list_queue, filters, moderator=moderator)
    return QueuePageOut(
        comments=[mod_comment(c) for c in page.comments], next_cursor=page.next_cursor
    )


@operation(
    bp,
    "/counts",
    "GET",
    summary="How many comments each queue tab holds",
    tag=TAG,
    responses={200: TabCounts},
    errors=ERRORS,
    auth=True,
)
def counts() -> TabCounts:
    """For every site the moderator works on."""
    return TabCounts(counts=_call(queue.tab_counts, _moderator()))


@operation(
    bp,
    "/comments/<int:comment_id>",
    "GET",
    summary="One comment with the reasons it was held",
    tag=TAG,
    responses={200: ModComment},
    errors=ERRORS,
    auth=True,
)
def comment(comment_id: int) -> ModComment:
    """403 for a comment of a site the moderator does not work on."""
    return mod_comment(_call(actions.load_comment, comment_id, _moderator()))


@operation(
    bp,
    "/comments/<int:comment_id>/decision",
    "POST",
    summary="Approve, reject, mark spam / not spam, ban or delete a comment",
    tag=TAG,
    body=DecisionIn,
    responses={200: ModComment},
    errors=(*ERRORS, 409, 422),
    auth=True,
)
def decide(comment_id: int, body: DecisionIn) -> ModComment:
    """Logged in the audit log under the token's moderator, like a decision in the admin."""
    moderator = _moderator()
    decision = actions.Decision(
        _call(actions.parse_action, body.action), body.revision, body.reason
    )
    return mod_comment(_call(actions.decide, comment_id, decision, moderator=moderator))
