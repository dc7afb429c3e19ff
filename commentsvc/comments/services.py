"""What readers do to comments: post, edit, delete, like, report; and read threads.

The HTML form views and the JSON API call these same functions. Every refusal is a
``CommentError`` with an HTTP status and a translated message; every write happens in one
``write_transaction`` so that a refusal leaves nothing behind.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from commentsvc.comments import validation as v
from commentsvc.comments.errors import CommentError
from commentsvc.comments.inputs import CommentEdit, NewComment, PostedComment, Reader
from commentsvc.comments.own import OwnComment, get_own_comments
from commentsvc.comments.reactions import like_comment, report_comment
from commentsvc.comments.reading import (
    ThreadComment,
    ThreadPage,
    ThreadState,
    count_published,
    find_thread,
    find_thread_state,
    get_thread_page,
    thread_is_closed,
)
from commentsvc.comments.status import bump_thread, set_status, store_new_comment
from commentsvc.comments.urls import normalise_website, resolve_page_url
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.identity import (
    avatar_seed,
    edit_key_matches,
    hash_edit_key,
    hash_ip,
    new_edit_key,
)
from commentsvc.markup import render_markdown
from commentsvc.models import Comment, Site, Status, Thread, utcnow
from commentsvc.moderation.pipeline import Candidate, Refused, Verdict, moderate
from commentsvc.notifications import events as notify
from commentsvc.spam.base import CommentText, SpamModel

__all__ = [
    "CommentEdit",
    "CommentError",
    "NewComment",
    "OwnComment",
    "PostedComment",
    "Reader",
    "ThreadComment",
    "ThreadPage",
    "count_published",
    "delete_comment",
    "edit_comment",
    "get_own_comments",
    "get_thread_page",
    "like_comment",
    "post_comment",
    "report_comment",
    "resolve_page_url",
    "thread_is_closed",
]


def _clean_new_comment(site: Site, new: NewComment) -> NewComment:
    """Checks every field the way the form does, so the API gets the same answers."""
    for name in ("body", "author", "email", "website", "title"):
        if v.has_forbidden_characters(getattr(new, name) or ""):
            raise CommentError(400, _("The text contains invalid characters."), field=name)
        if name != "body" and v.has_line_break(getattr(new, name) or ""):
            raise CommentError(400, _("The text contains invalid characters."), field=name)
    body = v.clean_body(new.body)
    author = v.clean_line(new.author)
    email = v.clean_line(new.email)
    website = v.clean_line(new.website)
    if v.is_blank(body):
        raise CommentError(422, _("Please write a comment."), field="body", code="required")
    if len(body) > v.MAX_BODY:
        message = _("A comment is at most %(n)d characters long.", n=v.MAX_BODY)
        raise CommentError(422, message, field="body", code="too_long")
    if site.require_name and not author:
        raise CommentError(422, _("Please give your name."), field="author", code="required")
    if len(author) > v.MAX_NAME:
        message = _("A name is at most %(n)d characters long.", n=v.MAX_NAME)
        raise CommentError(422, message, field="author", code="too_long")
    if site.require_email and not email:
        message = _("Please give your email address.")
        raise CommentError(422, message, field="email", code="required")
    if email:
        email = v.normalise_email(email) if len(email) <= v.MAX_EMAIL else None
        if email is None:
            message = _("This email address is not valid.")
            raise CommentError(422, message, field="email", code="invalid")
    if website:
        website = normalise_website(website)
        if website is None:
            message = _("This website address is not valid.")
            raise CommentError(422, message, field="website", code="invalid")
    return NewComment(
        url=new.url,
        body=body,
        author=author,
        email=email or "",
        website=website or "",
        title=v.clean_line(new.title)[: v.MAX_TITLE],
        parent_id=new.parent_id,
        notify_replies=new.notify_replies and bool(email),
    )


def _get_comment(comment_id: int) -> Comment | None:
    """The comment with this id; None for an id no row can have (not a driver overflow)."""
    if not 1 <= comment_id <= v.MAX_ID:
        return None
    return db.session.get(Comment, comment_id)


def _check_parent(thread: Thread | ThreadState | None, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = _get_comment(parent_id)
    if parent is None or thread is None or parent.thread_id != thread.id:
        message = _("You cannot reply to this comment here.")
        raise CommentError(422, message, field="parent_id", code="parent_elsewhere")
    if parent.status != Status.PUBLISHED:
        message = _("This comment cannot receive replies any more.")
        raise CommentError(422, message, field="parent_id", code="parent_not_published")
    return parent


def _refusal(exc: Refused) -> CommentError:
    # The pipeline may give its refusals an HTTP status; a refused comment is otherwise 422.
    return CommentError(getattr(exc, "status", 422), exc.message, code=exc.code)


def _get_or_create_thread(site: Site, url: str, title: str) -> Thread:
    thread = find_thread(site, url)
    if thread is not None:
        return thread
    thread = Thread(site_id=site.id, url=url, title=title)
    try:
        # A concurrent first comment may create it too (PostgreSQL): take theirs.
        with db.session.begin_nested():
            db.session.add(thread)
    except IntegrityError:
        found = find_thread(site, url)
        if found is None:
            raise
        return found
    return thread


def post_comment(
    site: Site, new: NewComment, *, reader: Reader, spam_model: SpamModel
) -> PostedComment:
    """Moderate and store a new comment (creating its thread on the first one).

    All the work (checks, rules, spam score, Markdown, hashes, what to notify) is done before
    the write transaction, whose lock every writer of the database queues on: inside it are
    only the INSERT of the comment, its root id, the thread's counters and the outbox rows.
    """
    url = resolve_page_url(site, new.url)
    new = _clean_new_comment(site, new)
    # A plain row: the ORM object cost more to load than everything the post reads of it.
    thread = find_thread_state(site, url)
    if thread_is_closed(site, thread):
        raise CommentError(403, _("Comments are closed on this page."), code="closed")
    parent = _check_parent(thread, new.parent_id)
    ip_hash = hash_ip(reader.ip)
    candidate = Candidate(
        site=site,
        thread=thread,
        text=CommentText(
            body=new.body,
            author=new.author,
            website=new.website,
            email=new.email,
            page_url=url,
        ),
        ip_hash=ip_hash,
        seconds_to_fill=reader.seconds_to_fill,
        honeypot=reader.honeypot,
    )
    try:
        outcome = moderate(candidate, spam_model=spam_model)
    except Refused as exc:
        raise _refusal(exc) from exc
    key = new_edit_key()
    comment = _new_row(new, outcome, parent=parent, reader=reader, ip_hash=ip_hash, key=key)
    notices = notify.new_comment_notices(
        site,
        thread,
        parent,
        status=outcome.status,
        author=new.author,
        email=new.email,
        body=new.body,
    )
    with write_transaction(keep_loaded=True) as session:
        store_new_comment(session, comment, thread or _get_or_create_thread(site, url, new.title))
        notices(comment)
    return PostedComment(comment=comment, edit_key=key)


def _new_row(
    new: NewComment,
    outcome: Verdict,
    *,
    parent: Comment | None,
    reader: Reader,
    ip_hash: str | None,
    key: str,
) -> Comment:
    """The comment's row, complete but for its thread (and its own id as root)."""
    score = outcome.score
    return Comment(
        parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=new.author,
        author_email=new.email or None,
        author_website=new.website or None,
        avatar_hash=avatar_seed(new.email, new.author),
        body_source=new.body,
        body_html=render_markdown(new.body),
        status=outcome.status,
        edit_key_hash=hash_edit_key(key),
        ip_hash=ip_hash,
        user_agent=(reader.user_agent or "")[:300] or None,
        spam_score=score.probability if score else None,
        spam_reasons=[r.as_dict() for r in score.reasons] if score else [],
        model_version=score.model_version if score else None,
        rule_reasons=[r.as_dict() for r in outcome.reasons],
        notify_replies=new.notify_replies,
    )


def _own_comment(comment_id: int, edit_key: str, site: Site | None) -> Comment:
    """The reader's own comment, still within the site's edit window; else a refusal."""
    comment = _get_comment(comment_id)
    if comment is None or (site is not None and comment.thread.site_id != site.id):
        raise CommentError(404, _("This comment does not exist."), code="not_found")
    if comment.status == Status.DELETED:
        raise CommentError(410, _("This comment has been deleted."), code="deleted")
    if comment.status not in {Status.PUBLISHED, Status.PENDING}:
        raise CommentError(403, _("This comment can no longer be changed."), code="moderated")
    if not edit_key_matches(edit_key, comment.edit_key_hash):
        raise CommentError(403, _("You can only change your own comments."), code="wrong_key")
    window = comment.thread.site.edit_window_seconds
    if utcnow() > comment.created_at + timedelta(seconds=window):
        minutes = max(1, window // 60)
        message = _(
            "Comments can only be changed during the %(n)d minutes after they are posted.",
            n=minutes,
        )
        raise CommentError(403, message, code="window_passed")
    return comment


def edit_comment(
    comment_id: int, edit: CommentEdit, *, spam_model: SpamModel, site: Site | None = None
) -> Comment:
    """Change the body of one's own comment; a published one is moderated again."""
    comment = _own_comment(comment_id, edit.edit_key, site)
    if v.has_forbidden_characters(edit.body or ""):
        raise CommentError(400, _("The text contains invalid characters."), field="body")
    body = v.clean_body(edit.body)
    if v.is_blank(body):
        raise CommentError(422, _("Please write a comment."), field="body", code="required")
    if len(body) > v.MAX_BODY:
        message = _("A comment is at most %(n)d characters long.", n=v.MAX_BODY)
        raise CommentError(422, message, field="body", code="too_long")
    thread = comment.thread
    candidate = Candidate(
        site=thread.site,
        thread=thread,
        text=CommentText(
            body=body,
            author=comment.author_name,
            website=comment.author_website or "",
            email=comment.author_email or "",
            page_url=thread.url,
        ),
        ip_hash=comment.ip_hash,
        comment_id=comment.id,
    )
    try:
        outcome = moderate(candidate, spam_model=spam_model)
    except Refused as exc:
        raise _refusal(exc) from exc
    with write_transaction():
        comment.body_source = body
        comment.body_html = render_markdown(body)
        comment.edited_at = utcnow()
        if outcome.score is not None:
            comment.spam_score = outcome.score.probability
            comment.spam_reasons = [r.as_dict() for r in outcome.score.reasons]
            comment.model_version = outcome.score.model_version
        # An edit may turn a harmless comment into spam: it never gains status by editing.
        if comment.status == Status.PUBLISHED and outcome.status != Status.PUBLISHED:
            comment.rule_reasons = [r.as_dict() for r in outcome.reasons]
            set_status(comment, outcome.status)
        else:
            comment.revision = (comment.revision or 0) + 1
            bump_thread(comment.thread_id)
    return comment


def delete_comment(comment_id: int, *, edit_key: str, site: Site | None = None) -> Comment:
    """Delete one's own comment; its text goes, a placeholder stays if it has replies."""
    comment = _own_comment(comment_id, edit_key, site)
    with write_transaction():
        comment.body_source = ""
        comment.body_html = ""
        comment.author_website = None
        set_status(comment, Status.DELETED)
    return comment
