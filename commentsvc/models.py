"""Database models. Business rules live in services, not here."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from commentsvc.duplicates import fingerprint
from commentsvc.extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on SQLite (which stores naive) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Status(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    SPAM = "spam"
    REJECTED = "rejected"
    DELETED = "deleted"


class ModerationMode(enum.StrEnum):
    PRE = "pre"
    POST = "post"
    AUTO = "auto"


class ReportReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class BanKind(enum.StrEnum):
    EMAIL = "email"
    IP = "ip"
    NAME = "name"


class WordAction(enum.StrEnum):
    REJECT = "reject"
    HOLD = "hold"


STATUS_LENGTH = 16


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # Exact origins ("https://www.example.fr"), no trailing slash.
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderation_mode: Mapped[str] = mapped_column(String(8), default=ModerationMode.POST)
    default_lang: Mapped[str] = mapped_column(String(8), default="fr")
    max_depth: Mapped[int] = mapped_column(Integer, default=3)
    edit_window_seconds: Mapped[int] = mapped_column(Integer, default=15 * 60)
    # 0 means never closes on its own.
    close_after_days: Mapped[int] = mapped_column(Integer, default=0)
    require_email: Mapped[bool] = mapped_column(Boolean, default=True)
    require_name: Mapped[bool] = mapped_column(Boolean, default=True)
    report_threshold: Mapped[int] = mapped_column(Integer, default=3)
    max_links: Mapped[int] = mapped_column(Integer, default=2)
    min_seconds: Mapped[int] = mapped_column(Integer, default=3)
    # Published comments with one e-mail, none rejected, before that author skips review; 0: off.
    trusted_after: Mapped[int] = mapped_column(Integer, default=3)
    # None: take the model card's defaults.
    hold_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    spam_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    # What `gdpr erase` does to bodies: "keep" or "remove".
    erase_policy: Mapped[str] = mapped_column(String(8), default="keep")
    # Notifications: send to these moderator addresses when the queue passes N (0: never).
    notify_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    queue_alert_threshold: Mapped[int] = mapped_column(Integer, default=0)
    notify_on_report: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_reply_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    threads: Mapped[list[Thread]] = relationship(back_populates="site")
    word_lists: Mapped[list[WordList]] = relationship(
        back_populates="site", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Site {self.name}>"


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("site_id", "url", name="uq_threads_site_id_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(300), default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Denormalised so that counts for many pages are one indexed read; kept by
    # commentsvc.comments.status.set_status in the same transaction as the change.
    published_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped on every change a reader could see: the key of caches and ETags.
    version: Mapped[int] = mapped_column(Integer, default=0)
    import_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    import_id: Mapped[str | None] = mapped_column(String(255), nullable=True)

    site: Mapped[Site] = relationship(back_populates="threads")
    comments: Mapped[list[Comment]] = relationship(back_populates="thread")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # A thread's comments of one status in order: the reader's hot query.
        Index("ix_comments_thread_status_created", "thread_id", "status", "created_at", "id"),
        Index("ix_comments_thread_status_likes", "thread_id", "status", "likes_count", "id"),
        # The moderation queue.
        Index("ix_comments_status_created", "status", "created_at", "id"),
        Index("ix_comments_status_score", "status", "spam_score", "id"),
        Index("ix_comments_status_reports", "status", "reports_count", "id"),
        Index("ix_comments_root_id", "root_id"),
        Index("ix_comments_parent_id", "parent_id"),
        # Lookups by author (trust, GDPR) and, covering, how an author's comments were decided:
        # the moderation cards count them without reading the table.
        Index("ix_comments_author_email_status", "author_email", "status", "thread_id"),
        Index("ix_comments_ip_hash_status", "ip_hash", "status", "thread_id"),
        # An author's newest comments first (the queue filtered by an author's e-mail).
        Index("ix_comments_author_email_created", "author_email", "created_at"),
        # The duplicate rule, on every post: recent comments with the same text, whoever wrote
        # them; almost always none, so one index probe.
        Index("ix_comments_body_fingerprint_created", "body_fingerprint", "created_at"),
        # Tab counts of the moderation queue, from the index alone.
        Index("ix_comments_status_thread", "status", "thread_id"),
        UniqueConstraint("import_source", "import_id", name="uq_comments_import_source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    # Top-level ancestor (itself for a top-level comment): pages are cut on roots.
    root_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    # Stored for moderators and notifications; never shown to readers.
    author_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    author_website: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # HMAC of the e-mail (or of the name when there is none): the avatar's seed.
    avatar_hash: Mapped[str] = mapped_column(String(64), default="")
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # commentsvc.duplicates.fingerprint of body_source, kept by the listener below.
    body_fingerprint: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(STATUS_LENGTH), default=Status.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    edit_key_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # HMAC-SHA256 of the address with the server secret; the address itself is never stored.
    ip_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    spam_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # [{"code": "links", "params": {...}, "weight": 1.2}, ...] strongest first.
    spam_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Rule pipeline reasons, same shape as spam_reasons.
    rule_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    likes_count: Mapped[int] = mapped_column(Integer, default=0)
    reports_count: Mapped[int] = mapped_column(Integer, default=0)
    notify_replies: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped on every change: a moderator's decision names the revision it saw.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL"), nullable=True
    )
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    import_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    import_id: Mapped[str | None] = mapped_column(String(255), nullable=True)

    thread: Mapped[Thread] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    reports: Mapped[list[Report]] = relationship(back_populates="comment")


@event.listens_for(Comment.body_source, "set")
def _fingerprint_body(comment: Comment, body: str | None, _old: Any, _initiator: Any) -> None:
    # Every way a body is written (post, edit, moderator edit, undo, erasure) passes here.
    comment.body_fingerprint = fingerprint(body)


class Like(db.Model):
    __tablename__ = "likes"
    __table_args__ = (
        UniqueConstraint("comment_id", "voter_key", name="uq_likes_comment_id_voter_key"),
        Index("ix_likes_comment_ip", "comment_id", "ip_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # Hash of the reader's browser key.
    voter_key: Mapped[str] = mapped_column(String(64))
    ip_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_comment_id", "comment_id"),
        # The "reported" tab: open reports only.
        Index("ix_reports_resolved_comment", "resolved", "comment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    reporter_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)

    comment: Mapped[Comment] = relationship(back_populates="reports")


moderator_sites = Table(
    "moderator_sites",
    db.metadata,
    Column("moderator_id", ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class Moderator(UserMixin, db.Model):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Changes on password change and logout-everywhere: invalidates old sessions.
    session_token: Mapped[str] = mapped_column(String(64), default="")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sites: Mapped[list[Site]] = relationship(secondary=moderator_sites)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the token; the token is shown once.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    moderator: Mapped[Moderator] = relationship()


class AuditEntry(db.Model):
    """Append-only log of moderator and system actions; an undo is a new entry."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_site_created", "site_id", "created_at"),
        Index("ix_audit_entries_comment_id", "comment_id"),
        Index("ix_audit_entries_created", "created_at"),
        Index("ix_audit_entries_undoes_id", "undoes_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL"), nullable=True
    )
    # Who, when the moderator row is gone or the actor is the CLI / the system.
    actor: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="SET NULL"), nullable=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )
    status_before: Mapped[str | None] = mapped_column(String(STATUS_LENGTH), nullable=True)
    status_after: Mapped[str | None] = mapped_column(String(STATUS_LENGTH), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    text_before: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_after: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    undoes_id: Mapped[int | None] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="SET NULL"), nullable=True
    )

    moderator: Mapped[Moderator | None] = relationship()


class Ban(db.Model):
    __tablename__ = "bans"
    __table_args__ = (Index("ix_bans_site_kind_value", "site_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    # Normalised: lower-cased e-mail or name, or the IP hash.
    value: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(String(500), default="")
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WordList(db.Model):
    __tablename__ = "word_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    # "reject" or "hold".
    action: Mapped[str] = mapped_column(String(8), default=WordAction.HOLD)
    words: Mapped[list[str]] = mapped_column(JSON, default=list)

    site: Mapped[Site] = relationship(back_populates="word_lists")


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxMessage(db.Model):
    """Something to deliver outside the request (e-mail, webhook), retried with backoff."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(2048))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RetainedIdentity(db.Model):
    """Who wrote an erased comment, kept only as long as the law asks, then purged."""

    __tablename__ = "retained_identities"
    __table_args__ = (Index("ix_retained_identities_keep_until", "keep_until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="SET NULL"), nullable=True
    )
    # The comment may be gone by the time a judge asks: no foreign key.
    comment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author_name: Mapped[str] = mapped_column(String(100), default="")
    author_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(300), nullable=True)
    comment_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    keep_until: Mapped[datetime] = mapped_column(UTCDateTime)
