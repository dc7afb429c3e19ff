"""Decide a new comment's status: ordered rules, each leaving a readable reason.

Every rule is a plain function of a ``Context`` returning an ``Outcome`` or None (no opinion).
A rule that rejects or marks spam decides at once; a rule that holds (``pending``) is noted
and the later rules still run, because a later one may be stronger (a honeypot → spam). A
trusted author or the site's mode may publish only what nothing held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext
from sqlalchemy import bindparam, select

from commentsvc.comments.reading import ThreadState
from commentsvc.extensions import db
from commentsvc.models import ModerationMode, Site, Status, Thread, WordList, utcnow
from commentsvc.moderation import history, words
from commentsvc.moderation.bans import banned_kind
from commentsvc.reasons import Reason
from commentsvc.spam.base import CommentText, Score, SpamModel, Thresholds

# The site's lists as plain rows: the ``Site.word_lists`` relationship loaded WordList
# objects into the session on every post, which cost more than the rule.
_WORD_LISTS = (
    select(WordList.action, WordList.words)
    .where(WordList.site_id == bindparam("site_id"))
    .order_by(WordList.id)
)

# Same text by the same author within this window is refused as a double post.
DUPLICATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Candidate:
    """A new comment as the pipeline sees it, before anything is written."""

    site: Site
    # None: the thread will be created with this comment. A post reads it as a plain row.
    thread: Thread | ThreadState | None
    text: CommentText
    ip_hash: str | None = None
    # Seconds between the form being served and sent (from the signed form token); None: API.
    seconds_to_fill: float | None = None
    honeypot: str = ""
    # The stored comment when an edit is moderated again (it is not its own duplicate).
    comment_id: int | None = None


class Refused(Exception):
    """The comment is refused outright (not stored); ``message`` is shown to the reader."""

    def __init__(self, message: Any, *, code: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status  # the HTTP status readers get


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: tuple[Reason, ...]
    score: Score | None = None


@dataclass(frozen=True)
class Outcome:
    """A rule's opinion: the status it wants and why."""

    status: Status
    reasons: tuple[Reason, ...]

    @property
    def final(self) -> bool:
        return self.status in {Status.REJECTED, Status.SPAM}


@dataclass
class Context:
    """What rules look at; the spam score is computed once, on first use."""

    candidate: Candidate
    spam_model: SpamModel
    now: datetime = field(default_factory=utcnow)
    held: bool = False
    _score: Score | None = None
    _word_lists: tuple[tuple[str, list[str]], ...] | None = None

    @property
    def site(self) -> Site:
        return self.candidate.site

    @property
    def score(self) -> Score:
        if self._score is None:
            self._score = self.spam_model.score(self.candidate.text)
        return self._score

    @property
    def word_lists(self) -> tuple[tuple[str, list[str]], ...]:
        """The site's word lists as (action, words), read once for both word rules."""
        if self._word_lists is None:
            rows = db.session.connection().execute(_WORD_LISTS, {"site_id": self.site.id})
            self._word_lists = tuple((action, entries) for action, entries in rows)
        return self._word_lists


Rule = Callable[[Context], Outcome | None]


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


def _one(status: Status, code: str, **params: object) -> Outcome:
    return Outcome(status, (Reason(code, params, 1.0),))


def rule_banned_author(ctx: Context) -> Outcome | None:
    """A banned e-mail, IP or name is rejected without telling the author."""
    c = ctx.candidate
    kind = banned_kind(
        c.site, email=c.text.email, ip_hash=c.ip_hash, name=c.text.author, now=ctx.now
    )
    if kind is None:
        return None
    return _one(Status.REJECTED, "banned_author", kind=kind)


def _word_rule(ctx: Context, action: str, status: Status, code: str) -> Outcome | None:
    text = ctx.candidate.text
    haystack = f"{text.author}\n{text.body}"
    found: list[str] = []
    for list_action, entries in ctx.word_lists:
        if list_action == action:
            found += words.find_matches(haystack, entries or [])
    if not found:
        return None
    return _one(status, code, words=sorted(set(found))[:10])


def rule_banned_words(ctx: Context) -> Outcome | None:
    """Words of a "reject" list reject the comment."""
    return _word_rule(ctx, "reject", Status.REJECTED, "banned_words")


def rule_suspect_words(ctx: Context) -> Outcome | None:
    """Words of a "hold" list hold the comment for review."""
    return _word_rule(ctx, "hold", Status.PENDING, "suspect_words")


def rule_links(ctx: Context) -> Outcome | None:
    """More links than the site allows: held for review."""
    # Only links in the body count: the website field is an expected, single link.
    count = history.count_links(ctx.candidate.text.body)
    if count <= ctx.site.max_links:
        return None
    return _one(Status.PENDING, "too_many_links", count=count, allowed=ctx.site.max_links)


def rule_bot_traps(ctx: Context) -> Outcome | None:
    """A filled honeypot, or a form sent faster than a person can type: spam."""
    c = ctx.candidate
    if c.honeypot.strip():
        return _one(Status.SPAM, "honeypot")
    if c.seconds_to_fill is not None and c.seconds_to_fill < ctx.site.min_seconds:
        return _one(
            Status.SPAM,
            "too_fast",
            seconds=round(c.seconds_to_fill, 1),
            minimum=ctx.site.min_seconds,
        )
    return None


def rule_duplicate(ctx: Context) -> Outcome | None:
    """The same text by the same author recently is refused (a double post, or a flood)."""
    c = ctx.candidate
    if history.recent_duplicate(
        c.site,
        c.text.body,
        email=c.text.email,
        ip_hash=c.ip_hash,
        since=ctx.now - DUPLICATE_WINDOW,
        exclude_id=c.comment_id,
    ):
        # Lazy: importers run the pipeline outside a request; the view renders the message.
        raise Refused(
            lazy_gettext("You already posted this comment."), code="duplicate", status=409
        )
    return None


def rule_spam_score(ctx: Context) -> Outcome | None:
    """In mode ``auto``, the model's score against the site's thresholds."""
    if ctx.site.moderation_mode != ModerationMode.AUTO:
        return None
    if not ctx.spam_model.usable:
        return _one(Status.PENDING, "model_unavailable")
    status = verdict(ctx.score.probability, site_thresholds(ctx.site, ctx.spam_model))
    if status == Status.PUBLISHED:
        return None
    return _one(status, "spam_score", score=round(ctx.score.probability, 4))


def rule_trusted_author(ctx: Context) -> Outcome | None:
    """An author with enough published comments and none rejected skips review."""
    n = ctx.site.trusted_after
    email = ctx.candidate.text.email
    if n <= 0 or not email or ctx.held:
        return None
    if not history.is_trusted(ctx.site, email, n):
        return None
    return _one(Status.PUBLISHED, "trusted_author", published=n)


def rule_mode(ctx: Context) -> Outcome | None:
    """Mode ``pre`` holds everything; ``post`` and ``auto`` publish what nothing held."""
    if ctx.site.moderation_mode == ModerationMode.PRE:
        return _one(Status.PENDING, "mode_pre")
    return None


RULES: tuple[Rule, ...] = (
    rule_banned_author,
    rule_banned_words,
    rule_suspect_words,
    rule_links,
    rule_bot_traps,
    rule_duplicate,
    rule_spam_score,
    rule_trusted_author,
    rule_mode,
)


def run_rules(ctx: Context, rules: tuple[Rule, ...] = RULES) -> tuple[Status, tuple[Reason, ...]]:
    """Apply ``rules`` in order; see the module docstring for how opinions combine."""
    held: list[Reason] = []
    for rule in rules:
        outcome = rule(ctx)
        if outcome is None:
            continue
        if outcome.final:
            return outcome.status, (*held, *outcome.reasons)
        if outcome.status == Status.PENDING:
            held += outcome.reasons
            ctx.held = True
        elif not held:
            return outcome.status, outcome.reasons
    return (Status.PENDING, tuple(held)) if held else (Status.PUBLISHED, ())


def moderate(candidate: Candidate, *, spam_model: SpamModel) -> Verdict:
    """The verdict for a new comment; raises ``Refused`` when it must not be stored at all."""
    ctx = Context(candidate, spam_model)
    status, found = run_rules(ctx)
    # The score is always kept: moderators see it and the stats compare it with decisions.
    return Verdict(status, found, ctx.score)


from commentsvc.moderation import descriptions  # noqa: E402,F401  (registers the reason texts)
