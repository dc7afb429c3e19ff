"""Figures for the stats page: volumes, queue, decision times, moderators, model agreement."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from commentsvc.extensions import db
from commentsvc.models import AuditEntry, Comment, Moderator, Site, Status, Thread, utcnow
from commentsvc.moderation.access import allowed_site_ids, site_by_name
from commentsvc.moderation.audit import TRAINING_LABELS, Action
from commentsvc.spam.base import Thresholds

DECISION_ACTIONS = [
    a.value
    for a in (
        Action.APPROVE,
        Action.REJECT,
        Action.SPAM,
        Action.NOT_SPAM,
        Action.BAN,
        Action.DELETE,
    )
]
STATUSES = ("published", "pending", "spam", "rejected", "deleted")


@dataclass
class Agreement:
    week: date
    decided: int
    precision: float | None
    recall: float | None


@dataclass
class StatsReport:
    days: list[date]
    per_day: dict[str, list[int]] = field(default_factory=dict)
    spam_rate: list[float | None] = field(default_factory=list)
    queue_size: list[int] = field(default_factory=list)
    median_hours: list[float | None] = field(default_factory=list)
    per_moderator: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    agreement: list[Agreement] = field(default_factory=list)
    pending_now: int = 0


def _day_expr(column: Any) -> Any:
    if db.engine.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _site_ids(moderator: Moderator, site: str | None) -> set[int] | None:
    if site:
        return {site_by_name(site, moderator).id}
    return allowed_site_ids(moderator)


def _scoped(query: Any, site_ids: set[int] | None) -> Any:
    if site_ids is None:
        return query
    return query.where(Thread.site_id.in_(site_ids))


def _per_day(report: StatsReport, start: datetime, site_ids: set[int] | None) -> None:
    day = _day_expr(Comment.created_at)
    rows = db.session.execute(
        _scoped(
            select(day, Comment.status, func.count(Comment.id))
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Comment.created_at >= start)
            .group_by(day, Comment.status),
            site_ids,
        )
    )
    index = {d: i for i, d in enumerate(report.days)}
    report.per_day = {status: [0] * len(report.days) for status in STATUSES}
    for value, status, count in rows:
        position = index.get(_as_date(value))
        if position is not None and status in report.per_day:
            report.per_day[status][position] = count
    for i in range(len(report.days)):
        total = sum(series[i] for series in report.per_day.values())
        report.spam_rate.append(report.per_day["spam"][i] / total if total else None)


def _queue(report: StatsReport, start: datetime, site_ids: set[int] | None) -> None:
    """Queue size at each day's end, and the median time from arrival to first decision."""
    day = _day_expr(Comment.created_at)
    pending_by_day = db.session.execute(
        _scoped(
            select(day, func.count(Comment.id))
            .join(Thread, Thread.id == Comment.thread_id)
            .where(Comment.status == Status.PENDING)
            .group_by(day),
            site_ids,
        )
    ).all()
    first = (
        select(AuditEntry.comment_id, func.min(AuditEntry.created_at).label("decided_at"))
        .where(AuditEntry.status_before == Status.PENDING)
        .where(AuditEntry.action.in_(DECISION_ACTIONS))
        .group_by(AuditEntry.comment_id)
        .subquery()
    )
    decided = db.session.execute(
        _scoped(
            select(Comment.created_at, first.c.decided_at)
            .join(first, first.c.comment_id == Comment.id)
            .join(Thread, Thread.id == Comment.thread_id)
            .where(first.c.decided_at >= start),
            site_ids,
        )
    ).all()
    hours: dict[date, list[float]] = defaultdict(list)
    for created, decided_at in decided:
        decided_at = _aware(decided_at)
        hours[decided_at.date()].append((decided_at - _aware(created)).total_seconds() / 3600)
    for d in report.days:
        end = datetime.combine(d, time(), UTC) + timedelta(days=1)
        still = sum(n for value, n in pending_by_day if _as_date(value) <= d)
        waiting = sum(1 for c, x in decided if _aware(c) < end <= _aware(x))
        report.queue_size.append(still + waiting)
        report.median_hours.append(round(statistics.median(hours[d]), 2) if hours[d] else None)
    report.pending_now = sum(n for _value, n in pending_by_day)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _moderators(report: StatsReport, start: datetime, site_ids: set[int] | None) -> None:
    query = (
        select(AuditEntry.actor, AuditEntry.action, func.count(AuditEntry.id))
        .where(AuditEntry.created_at >= start, AuditEntry.action.in_(DECISION_ACTIONS))
        .group_by(AuditEntry.actor, AuditEntry.action)
    )
    if site_ids is not None:
        query = query.where(AuditEntry.site_id.in_(site_ids))
    per: dict[str, dict[str, int]] = defaultdict(dict)
    for actor, action, count in db.session.execute(query):
        per[actor][action] = count
    report.per_moderator = sorted(per.items(), key=lambda item: -sum(item[1].values()))


def _agreement(
    report: StatsReport, start: datetime, site_ids: set[int] | None, defaults: Thresholds
) -> None:
    """Per week: the model's spam verdicts against moderators' spam / not-spam decisions."""
    query = (
        select(
            AuditEntry.comment_id,
            AuditEntry.action,
            AuditEntry.created_at,
            Comment.spam_score,
            Site.spam_threshold,
        )
        .join(Comment, Comment.id == AuditEntry.comment_id)
        .join(Thread, Thread.id == Comment.thread_id)
        .join(Site, Site.id == Thread.site_id)
        .where(AuditEntry.created_at >= start)
        .where(AuditEntry.action.in_([str(a) for a in TRAINING_LABELS]))
        .where(Comment.spam_score.is_not(None))
        .order_by(AuditEntry.id)
    )
    latest: dict[int, tuple[int, date, bool]] = {}
    for comment_id, action, created, score, site_threshold in db.session.execute(
        _scoped(query, site_ids)
    ):
        threshold = site_threshold if site_threshold is not None else defaults.spam
        week = _aware(created).date() - timedelta(days=_aware(created).weekday())
        latest[comment_id] = (TRAINING_LABELS[Action(action)], week, score >= threshold)
    weeks: dict[date, list[tuple[int, bool]]] = defaultdict(list)
    for label, week, predicted in latest.values():
        weeks[week].append((label, predicted))
    for week in sorted(weeks):
        pairs = weeks[week]
        tp = sum(1 for label, predicted in pairs if label and predicted)
        fp = sum(1 for label, predicted in pairs if not label and predicted)
        fn = sum(1 for label, predicted in pairs if label and not predicted)
        report.agreement.append(
            Agreement(
                week,
                len(pairs),
                tp / (tp + fp) if tp + fp else None,
                tp / (tp + fn) if tp + fn else None,
            )
        )


def compute(
    moderator: Moderator,
    *,
    site: str | None = None,
    days: int = 30,
    defaults: Thresholds,
    now: datetime | None = None,
) -> StatsReport:
    """Everything the stats page draws, for the moderator's sites (or one of them)."""
    now = now or utcnow()
    site_ids = _site_ids(moderator, site)
    today = now.date()
    report = StatsReport(days=[today - timedelta(days=n) for n in range(days - 1, -1, -1)])
    start = datetime.combine(report.days[0], time(), UTC)
    _per_day(report, start, site_ids)
    _queue(report, start, site_ids)
    _moderators(report, start, site_ids)
    _agreement(report, start - timedelta(days=60), site_ids, defaults)
    return report
