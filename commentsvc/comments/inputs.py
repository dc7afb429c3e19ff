"""What the reader services take and give: small frozen dataclasses, no ORM, no request."""

from __future__ import annotations

from dataclasses import dataclass

from commentsvc.models import Comment, Status


@dataclass(frozen=True)
class Reader:
    """Who is acting, as far as an anonymous reader can be told apart (hashed at once)."""

    ip: str | None = None
    user_agent: str = ""
    # Random key kept in the reader's browser (likes, reports); None without storage.
    browser_key: str | None = None
    # From the signed form token (HTML form only): how long the form took, and the honeypot.
    seconds_to_fill: float | None = None
    honeypot: str = ""


@dataclass(frozen=True)
class NewComment:
    url: str
    body: str
    author: str = ""
    email: str = ""
    website: str = ""
    title: str = ""
    parent_id: int | None = None
    notify_replies: bool = False


@dataclass(frozen=True)
class CommentEdit:
    body: str
    edit_key: str


@dataclass(frozen=True)
class PostedComment:
    comment: Comment
    # Shown once to the author's browser; only its hash is stored.
    edit_key: str

    @property
    def published(self) -> bool:
        return self.comment.status == Status.PUBLISHED
