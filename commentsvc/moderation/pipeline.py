"""Decide a new comment's status: ordered rules, each leaving a readable reason."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from commentsvc import reasons
from commentsvc.models import ModerationMode, Site, Status, Thread
from commentsvc.reasons import Reason
from commentsvc.spam.base import CommentText, Score, SpamModel, Thresholds


@dataclass(frozen=True)
class Candidate:
    """A new comment as the pipeline sees it, before anything is written."""

    site: Site
    thread: Thread | None  # None: the thread will be created with this comment
    text: CommentText
    ip_hash: str | None = None
    # Seconds between the form being served and sent (from the signed form token); None: API.
    seconds_to_fill: float | None = None
    honeypot: str = ""


class Refused(Exception):
    """The comment is refused outright (not stored); ``message`` is shown to the reader."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[Reason, ...]
    score: Score | None = None


def verdict(probability: float, thresholds: Thresholds) -> Status:
    """Spam score against a site's two thresholds."""
    if probability >= thresholds.spam:
        return Status.SPAM
    if probability >= thresholds.hold:
        return Status.PENDING
    return Status.PUBLISHED


def site_thresholds(site: Site, model: SpamModel) -> Thresholds:
    defaults = model.default_thresholds
    return Thresholds(
        hold=site.hold_threshold if site.hold_threshold is not None else defaults.hold,
        spam=site.spam_threshold if site.spam_threshold is not None else defaults.spam,
    )


def moderate(candidate: Candidate, *, spam_model: SpamModel) -> Verdict:
    """The verdict for a new comment; raises ``Refused`` when it must not be stored at all."""
    site = candidate.site
    score = spam_model.score(candidate.text)
    if site.moderation_mode == ModerationMode.PRE:
        return Verdict(Status.PENDING, (Reason("mode_pre"),), score)
    if site.moderation_mode == ModerationMode.POST:
        return Verdict(Status.PUBLISHED, (), score)
    if not spam_model.usable:
        return Verdict(Status.PENDING, (Reason("model_unavailable"),), score)
    status = verdict(score.probability, site_thresholds(site, spam_model))
    rule = (
        () if status == Status.PUBLISHED else (Reason("spam_score", {"score": score.probability}),)
    )
    return Verdict(status, rule, score)


reasons.register("mode_pre", lambda p: _("The site reviews every comment before publishing"))
reasons.register("model_unavailable", lambda p: _("No spam model available: held for safety"))
reasons.register(
    "spam_score", lambda p: _("Spam score %(score).2f", score=float(p.get("score", 0)))
)
