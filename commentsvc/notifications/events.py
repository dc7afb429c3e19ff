"""What happened that someone should hear about; each call queues e-mails in the caller's
transaction (see ``commentsvc.outbox``), so they go out only if the change is committed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from commentsvc.comments.reading import ThreadState

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


@dataclass(frozen=True)
class ReplyNotice:
    """The e-mail telling a parent's author about a reply, ready but for the reply's id."""

    to: str
    lang: str
    title: str
    author: str
    excerpt: str
    page_url: str
    unsubscribe: str

    def enqueue(self, reply: Comment) -> None:
        """Queue it in the caller's transaction (the reply has its id: it was flushed)."""
        with force_locale(self.lang):
            subject = _("New reply to your comment on “%(title)s”", title=self.title)
            text = _(
                "%(author)s replied to your comment:\n\n%(excerpt)s\n\nRead it: %(url)s\n\n"
                "You receive this e-mail because you asked to be told about replies. "
                "Stop these e-mails: %(unsubscribe)s",
                author=self.author,
                excerpt=self.excerpt,
                url=f"{self.page_url}#comment-{reply.id}",
                unsubscribe=self.unsubscribe,
            )
        enqueue(
            "email",
            self.to,
            {
                "subject": subject,
                "text": text,
                "kind": "reply",
                "headers": {
                    "List-Unsubscribe": f"<{self.unsubscribe}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            },
        )


def reply_notice(
    site: Site,
    thread: Thread | ThreadState,
    parent: Comment | None,
    *,
    author: str,
    email: str,
    body: str,
) -> ReplyNotice | None:
    """The notice a published reply by ``author`` sends its parent's author, if they asked."""
    if parent is None or not parent.notify_replies or not parent.author_email:
        return None
    if not site.allow_reply_notifications or not smtp_configured():
        return None
    if parent.status != Status.PUBLISHED:
        return None
    if (email or "").strip().lower() == parent.author_email.strip().lower():
        return None
    token = unsubscribe_token(site.id, parent.author_email)
    return ReplyNotice(
        to=parent.author_email,
        lang=site.default_lang,
        title=thread.title or thread.url,
        author=author,
        excerpt=_excerpt(body),
        page_url=thread.url,
        unsubscribe=absolute_url("notifications.unsubscribe", token=token),
    )


def reply_published(reply: Comment) -> None:
    """Tell the parent's author about a newly published reply, if they asked for it."""
    thread = reply.thread
    notice = reply_notice(
        thread.site,
        thread,
        reply.parent,
        author=reply.author_name,
        email=reply.author_email or "",
        body=reply.body_source,
    )
    if notice is not None:
        notice.enqueue(reply)


def _queue_alert_wanted(site: Site) -> bool:
    return bool((site.queue_alert_threshold or 0) > 0 and site.notify_emails and smtp_configured())


def _nothing(_comment: Comment) -> None:
    return None


def new_comment_notices(
    site: Site,
    thread: Thread | ThreadState | None,
    parent: Comment | None,
    *,
    status: Status,
    author: str,
    email: str,
    body: str,
) -> Callable[[Comment], None]:
    """Decide, before the write, what a new comment will tell whom; call the result with the
    stored comment in its transaction to queue it (``comment_added``, prepared in advance).

    Everything that reads the site, the thread or the parent, signs links or renders text is
    done here, outside the write lock; what is left to the call is an INSERT into the outbox
    (and, only for a site with a queue alert, the count that must include the new comment).
    """
    if status == Status.PENDING:
        return (lambda _comment: queue_grew(site)) if _queue_alert_wanted(site) else _nothing
    if status == Status.PUBLISHED and thread is not None:
        notice = reply_notice(site, thread, parent, author=author, email=email, body=body)
        if notice is not None:
            return notice.enqueue
    return _nothing


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
