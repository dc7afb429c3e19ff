"""What happened that someone should hear about; each call queues e-mails in the caller's
transaction (see ``commentsvc.outbox``), so they go out only if the change is committed."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.models import Comment, Report, Site, Status, Thread
from commentsvc.notifications.mail import smtp_configured
from commentsvc.outbox import enqueue

EXCERPT_LENGTH = 600
_SALT = "commentsvc-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(site_id: int, email: str) -> str:
    """A signed token that stops reply e-mails to ``email`` on one site."""
    return _serializer().dumps({"s": site_id, "e": email.strip().lower()})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(site id, e-mail) from a token, or None when it is forged or damaged."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    return data["s"], str(data.get("e", ""))


def absolute_url(endpoint: str, **values: object) -> str:
    """Links in e-mails: from ``PUBLIC_URL`` when set, else from the current request."""
    public = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if has_request_context():
        if public:
            return public + url_for(endpoint, **values)
        return url_for(endpoint, _external=True, **values)
    # Outside a request (a command, the worker): the path alone needs no server name.
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return public + path


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH].rstrip() + "…"


def pending_count(site_id: int) -> int:
    return db.session.scalar(
        select(func.count(Comment.id))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(Thread.site_id == site_id, Comment.status == Status.PENDING)
    )


def _to_moderators(site: Site, subject: str, text: str) -> None:
    for address in site.notify_emails or []:
        enqueue("email", address, {"subject": subject, "text": text, "kind": "moderators"})


def queue_grew(site: Site) -> None:
    """Tell the site's moderators once when the queue passes its alert threshold."""
    threshold = site.queue_alert_threshold or 0
    if threshold <= 0 or not site.notify_emails or not smtp_configured():
        return
    db.session.flush()
    count = pending_count(site.id)
    if count != threshold + 1:
        return
    with force_locale(site.default_lang):
        subject = _("[%(site)s] %(count)d comments await review", site=site.name, count=count)
        text = _(
            "The review queue of %(site)s now holds %(count)d comments.\n\nOpen the queue: %(url)s",
            site=site.name,
            count=count,
            url=absolute_url("admin.queue", site=site.name),
        )
    _to_moderators(site, subject, text)


def comment_reported(comment: Comment, report: Report) -> None:
    """Tell the site's moderators about a report, if the site asked for it."""
    site = comment.thread.site
    if comment.status == Status.PENDING:
        # The report hid it (threshold reached): the queue grew.
        queue_grew(site)
    if not site.notify_on_report or not site.notify_emails or not smtp_configured():
        return
    with force_locale(site.default_lang):
        subject = _("[%(site)s] A comment was reported", site=site.name)
        text = _(
            "A reader reported a comment by %(author)s (reason: %(reason)s).\n\n"
            "%(excerpt)s\n\nReview it: %(url)s",
            author=comment.author_name,
            reason=report.reason,
            excerpt=_excerpt(comment.body_source),
            url=absolute_url("admin.comment_detail", comment_id=comment.id),
        )
    _to_moderators(site, subject, text)


def reply_published(reply: Comment) -> None:
    """Tell the parent's author about a newly published reply, if they asked for it."""
    parent = reply.parent
    if parent is None or not parent.notify_replies or not parent.author_email:
        return
    site = reply.thread.site
    if not site.allow_reply_notifications or not smtp_configured():
        return
    if parent.status != Status.PUBLISHED:
        return
    if (reply.author_email or "").strip().lower() == parent.author_email.strip().lower():
        return
    token = unsubscribe_token(site.id, parent.author_email)
    unsubscribe = absolute_url("notifications.unsubscribe", token=token)
    title = reply.thread.title or reply.thread.url
    with force_locale(site.default_lang):
        subject = _("New reply to your comment on “%(title)s”", title=title)
        text = _(
            "%(author)s replied to your comment:\n\n%(excerpt)s\n\nRead it: %(url)s\n\n"
            "You receive this e-mail because you asked to be told about replies. "
            "Stop these e-mails: %(unsubscribe)s",
            author=reply.author_name,
            excerpt=_excerpt(reply.body_source),
            url=f"{reply.thread.url}#comment-{reply.id}",
            unsubscribe=unsubscribe,
        )
    enqueue(
        "email",
        parent.author_email,
        {
            "subject": subject,
            "text": text,
            "kind": "reply",
            "headers": {
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        },
    )


def comment_added(comment: Comment) -> None:
    """A new comment was stored (call in the same transaction)."""
    if comment.status == Status.PENDING:
        queue_grew(comment.thread.site)
    elif comment.status == Status.PUBLISHED:
        reply_published(comment)


def status_changed(comment: Comment, old_status: str) -> None:
    """A moderator changed a status (call in the same transaction)."""
    if comment.status == Status.PUBLISHED and old_status != Status.PUBLISHED:
        reply_published(comment)
    elif comment.status == Status.PENDING:
        queue_grew(comment.thread.site)


def unsubscribe(token: str) -> tuple[Site, str] | None:
    """Stop reply e-mails for the token's address on its site; None for a bad token."""
    found = read_unsubscribe_token(token)
    if found is None:
        return None
    site_id, email = found
    site = db.session.get(Site, site_id)
    if site is None or not email:
        return None
    thread_ids = select(Thread.id).where(Thread.site_id == site_id)
    with write_transaction() as session:
        session.execute(
            update(Comment)
            .where(Comment.thread_id.in_(thread_ids))
            .where(func.lower(Comment.author_email) == email)
            .values(notify_replies=False)
        )
    return site, email
