"""Readers reacting to others' comments: one like per reader, reports for the moderators."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from commentsvc.comments import validation as v
from commentsvc.comments.errors import CommentError
from commentsvc.comments.inputs import Reader
from commentsvc.comments.status import bump_thread, set_status
from commentsvc.database import write_transaction
from commentsvc.extensions import db
from commentsvc.identity import hash_ip, hash_reader_key
from commentsvc.models import Comment, Like, Report, ReportReason, Site, Status
from commentsvc.notifications import events as notify


def _published_comment(comment_id: int, site: Site | None) -> Comment:
    # An id no row can have is not looked up: it would overflow the database driver.
    in_range = 1 <= comment_id <= v.MAX_ID
    comment = db.session.get(Comment, comment_id) if in_range else None
    if (
        comment is None
        or comment.status != Status.PUBLISHED
        or (site is not None and comment.thread.site_id != site.id)
    ):
        raise CommentError(404, _("This comment does not exist."), code="not_found")
    return comment


def _reader_keys(reader: Reader) -> tuple[str, str | None]:
    """(stable key of this reader, hashed IP): the browser key if any, else the IP."""
    ip_hash = hash_ip(reader.ip)
    if reader.browser_key:
        return hash_reader_key(reader.browser_key), ip_hash
    if ip_hash:
        return "ip:" + ip_hash[:61], ip_hash
    raise CommentError(400, _("Your browser could not be recognised."), code="no_reader")


def like_comment(comment_id: int, *, reader: Reader, site: Site | None = None) -> int:
    """One like per reader (browser key, and hashed IP); returns the new like count."""
    comment = _published_comment(comment_id, site)
    voter_key, ip_hash = _reader_keys(reader)
    same_reader = select(func.count(Like.id)).where(
        Like.comment_id == comment.id,
        or_(Like.voter_key == voter_key, (Like.ip_hash == ip_hash) if ip_hash else false()),
    )
    already = _("You already like this comment.")
    with write_transaction() as session:
        if session.scalar(same_reader):
            raise CommentError(409, already, code="already_liked")
        session.add(Like(comment_id=comment.id, voter_key=voter_key, ip_hash=ip_hash))
        try:
            session.flush()
        except IntegrityError as exc:
            raise CommentError(409, already, code="already_liked") from exc
        session.execute(
            update(Comment)
            .where(Comment.id == comment.id)
            .values(likes_count=Comment.likes_count + 1)
        )
        bump_thread(comment.thread_id)
    db.session.refresh(comment)
    return comment.likes_count


def report_comment(
    comment_id: int,
    *,
    reason: str,
    reader: Reader,
    detail: str = "",
    site: Site | None = None,
) -> Report:
    """Store a report for moderators; at the site's threshold the comment goes back to review."""
    if reason not in set(ReportReason):
        message = _("Please choose why you report this comment.")
        raise CommentError(422, message, field="reason", code="reason")
    if v.has_forbidden_characters(detail or ""):
        raise CommentError(400, _("The text contains invalid characters."), field="detail")
    detail = v.clean_line(detail)
    if len(detail) > v.MAX_REPORT_DETAIL:
        message = _("At most %(n)d characters, please.", n=v.MAX_REPORT_DETAIL)
        raise CommentError(422, message, field="detail", code="too_long")
    comment = _published_comment(comment_id, site)
    reporter_key, ip_hash = _reader_keys(reader)
    with write_transaction() as session:
        duplicate = session.scalar(
            select(Report.id).where(
                Report.comment_id == comment.id, Report.reporter_key == reporter_key
            )
        )
        if duplicate is not None:
            message = _("You have already reported this comment.")
            raise CommentError(409, message, code="already_reported")
        report = Report(
            comment_id=comment.id,
            reason=reason,
            detail=detail,
            reporter_key=reporter_key,
            ip_hash=ip_hash,
        )
        session.add(report)
        session.flush()
        comment.reports_count = (comment.reports_count or 0) + 1
        # Reports a moderator already dealt with do not count again.
        open_reports = session.scalar(
            select(func.count(Report.id)).where(
                Report.comment_id == comment.id, Report.resolved.is_(False)
            )
        )
        threshold = comment.thread.site.report_threshold
        if threshold and open_reports >= threshold:
            set_status(comment, Status.PENDING)
        notify.comment_reported(comment, report)
    return report
