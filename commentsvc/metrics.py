"""``/metrics`` for Prometheus, correct across gunicorn workers.

Under ``commentsvc serve`` every worker writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (set by ``server.py`` before this module is imported) and a scrape
of any worker reads them all. Figures that live in the database (comments by status, queue size)
are read at scrape time, so they are the same whichever worker answers.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from commentsvc.extensions import db

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "commentsvc_request_duration_seconds",
    "Time to answer a request, by route.",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SCORING_SECONDS = Histogram(
    "commentsvc_spam_scoring_seconds",
    "Time the spam model takes to score one comment.",
    ["model_version"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
CACHE_LOOKUPS = Counter(
    "commentsvc_cache_lookups_total",
    "Rendered-thread cache lookups; hit rate = hit / (hit + miss).",
    ["kind", "result"],
)


def record_cache_lookup(kind: str, *, hit: bool) -> None:
    """Count one cache lookup of ``kind`` (e.g. ``thread_html``) as a hit or a miss."""
    CACHE_LOOKUPS.labels(kind=kind, result="hit" if hit else "miss").inc()


class TimedSpamModel:
    """Wraps the loaded spam model to time ``score``; everything else is the model's own."""

    def __init__(self, model: Any) -> None:
        self.wrapped = model

    def score(self, comment: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.wrapped.score(comment)
        finally:
            elapsed = time.perf_counter() - started
            SCORING_SECONDS.labels(model_version=str(self.wrapped.version)).observe(elapsed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


class DatabaseCollector(Collector):
    """Comment counts by status, the review queue and the outbox, read when scraped.

    Runs inside the scraping request's app context.
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # A scrape must still answer when the database does not: that is when it matters most.
        up = GaugeMetricFamily("commentsvc_database_up", "Whether the database answered.")
        try:
            families = list(self._read())
        except SQLAlchemyError as exc:
            db.session.rollback()
            log.warning("metrics: database unavailable: %s", str(exc).splitlines()[0])
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> Iterator[GaugeMetricFamily]:
        from commentsvc.models import Comment, OutboxMessage, Report, Status

        session = db.session
        by_status = GaugeMetricFamily(
            "commentsvc_comments", "Stored comments by status.", labels=["status"]
        )
        rows = session.execute(select(Comment.status, func.count()).group_by(Comment.status))
        counts = {status: count for status, count in rows}
        for status in Status:
            by_status.add_metric([status.value], counts.get(status.value, 0))
        yield by_status
        reported = session.scalar(
            select(func.count(func.distinct(Report.comment_id))).where(Report.resolved.is_(False))
        )
        queue = GaugeMetricFamily(
            "commentsvc_queue_size", "Items awaiting a moderator.", labels=["kind"]
        )
        queue.add_metric(["pending"], counts.get(Status.PENDING.value, 0))
        queue.add_metric(["reported"], reported or 0)
        yield queue
        undelivered = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
        yield GaugeMetricFamily(
            "commentsvc_outbox_undelivered", "Messages waiting for delivery.", value=undelivered
        )


class _ProcessCollector(Collector):
    """This process's own metrics, when not running under several workers."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def scrape() -> bytes:
    """The exposition text: every worker's samples plus the database gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


@bp.get("/metrics")
def metrics() -> Response:
    return Response(scrape(), mimetype=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> None:
    """Time every request by route, time the spam model, and serve ``/metrics``."""
    app.register_blueprint(bp)
    model = app.extensions.get("spam_model")
    if model is not None and not isinstance(model, TimedSpamModel):
        app.extensions["spam_model"] = TimedSpamModel(model)

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("metrics_started")
        if started is not None:
            # The rule, not the path: unknown paths must not create new series.
            route = request.url_rule.rule if request.url_rule else "unmatched"
            request_series(request.method, route, response.status_code).observe(
                time.perf_counter() - started
            )
        return response


@functools.cache
def request_series(method: str, route: str, status: int) -> Any:
    """The histogram child of one series, looked up once per process (``labels`` is slow).

    Bounded: methods, rules and statuses are finite sets (paths are never labels).
    """
    return REQUEST_SECONDS.labels(method=method, route=route, status=str(status))


def mark_worker_dead(pid: int) -> None:
    """Gunicorn ``child_exit``: fold a finished worker's live gauges away."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
