"""Request and response schemas of the public API.

Requests ignore unknown fields; responses list every field they may carry, so nothing else
(e-mail, IP hash, spam score) can leave the server by accident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_COUNT_URLS = 100
MAX_URL_LENGTH = 2048
# Ids are 32-bit integers on PostgreSQL: anything larger names nothing.
MAX_ID = 2**31 - 1


class In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- requests -------------------------------------------------------------------------------


class ThreadQuery(In):
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH, description="The page's URL.")
    sort: Literal["oldest", "newest", "top"] = "oldest"
    cursor: str | None = Field(None, max_length=200, description="From the previous page.")


class CountsQuery(In):
    url: list[str] = Field(
        min_length=1,
        max_length=MAX_COUNT_URLS,
        description=f"Page URLs, repeated (at most {MAX_COUNT_URLS}).",
    )


class NewComment(In):
    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)
    title: str = Field("", max_length=300)
    author: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=500)
    body: str = Field(min_length=1, max_length=20_000)
    # strict: JSON true is not comment 1 (pydantic's lax mode would take it as an int).
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    notify_replies: bool = False


class CommentEdit(In):
    body: str = Field(min_length=1, max_length=20_000)


class NewReport(In):
    reason: Literal["spam", "abuse", "off-topic", "other"]
    detail: str = Field("", max_length=500)


# ---- responses ------------------------------------------------------------------------------


class CommentOut(Out):
    id: int
    parent_id: int | None
    author: str
    website: str | None
    avatar: str = Field(description="Seed of the identicon; never the e-mail.")
    body_html: str = Field(description="Sanitised HTML.")
    created_at: datetime
    edited_at: datetime | None
    likes: int
    deleted: bool = Field(description="A deleted comment kept as a placeholder for its replies.")
    level: int = Field(0, description="Indentation level, at most the site's max depth.")
    reply_to: str | None = Field(None, description="Shown beside its parent: whom it answers.")
    reply_to_id: int | None = None
    replies: list[CommentOut] = Field(default_factory=list)


class ThreadPage(Out):
    url: str = Field(description="The page's canonical URL.")
    title: str
    count: int = Field(description="Published comments of the whole thread, replies included.")
    closed: bool
    sort: str
    comments: list[CommentOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class PostedComment(Out):
    comment: CommentOut
    status: Literal["published", "pending"]
    edit_key: str = Field(description="Lets the author edit or delete within the edit window.")
    edit_until: datetime


class EditedComment(Out):
    comment: CommentOut
    status: Literal["published", "pending"]


class LikeResult(Out):
    likes: int
    liked: bool


class ReportResult(Out):
    reported: bool


class Counts(Out):
    counts: dict[str, int] = Field(description="Published comments per URL asked (0 if none).")


class Problem(Out):
    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
