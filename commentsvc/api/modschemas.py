"""Schemas of the moderator API: moderators see what the admin shows them (never an IP)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from commentsvc.api.schemas import In, Out


class QueueQuery(In):
    tab: Literal["pending", "reported", "spam", "published", "rejected"] = "pending"
    site: str | None = Field(None, max_length=64)
    thread: int | None = Field(None, ge=1, le=2**31 - 1)
    date_from: date | None = Field(None, alias="from")
    date_to: date | None = Field(None, alias="to")
    min: float | None = Field(None, ge=0, le=1, description="Lowest spam score.")
    max: float | None = Field(None, ge=0, le=1, description="Highest spam score.")
    q: str = Field("", max_length=200, description="Text in the body.")
    author: str = Field("", max_length=200, description="Name or e-mail.")
    sort: Literal["newest", "oldest", "score", "reports"] = "newest"
    cursor: str | None = Field(None, max_length=300)
    limit: int = Field(25, ge=1, le=100)


class DecisionIn(In):
    action: Literal["approve", "reject", "spam", "not_spam", "ban", "delete"]
    reason: str = Field("", max_length=500)
    revision: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The revision seen; 409 if it changed since."
    )


class ReasonOut(Out):
    code: str
    text: str


class ModComment(Out):
    id: int
    site: str
    thread_url: str
    thread_title: str
    parent_id: int | None
    status: str
    author_name: str
    author_email: str | None
    author_website: str | None
    body_source: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    spam_score: float | None
    reasons: list[ReasonOut]
    reports_count: int
    likes: int
    revision: int


class QueuePageOut(Out):
    comments: list[ModComment]
    next_cursor: str | None


class TabCounts(Out):
    counts: dict[str, int]
