"""Real gunicorn under write load: kill -9 loses nothing acknowledged; concurrency stays exact.

Both on SQLite and on a private PostgreSQL cluster. Rate limits are off (load test), the site
publishes at once (mode post), every poster sends unique bodies so that each acknowledged
comment can be found again.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commentsvc import create_app
from commentsvc.extensions import db
from commentsvc.models import Comment, Status, Thread
from tests.conftest import BACKEND, base_config
from tests.faults import loadharness as harness
from tests.faults.pgcluster import Cluster

pytestmark = pytest.mark.slow

CONCURRENT_POSTERS = 64
# Issue 7 asks for 30 s of 64 posters, on both databases (about 20 s more of CI on PostgreSQL).
CONCURRENCY_SECONDS = 30.0
CRASH_SECONDS = 8.0


@pytest.fixture(params=["sqlite", "postgresql"])
def database_for_load(request, tmp_path: Path) -> Iterator[str]:
    """An empty database for the server: a SQLite file, or a fresh database on the cluster."""
    if BACKEND == "postgresql":
        pytest.skip("runs in the SQLite pass already: it brings its own databases")
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'load.sqlite3'}"
        return
    cluster: Cluster = request.getfixturevalue("running_cluster")
    yield cluster.fresh_database(f"load_{os.getpid()}_{int(time.monotonic() * 1000)}")


def stored(database_url: str) -> tuple[dict[str, list[int]], int, int]:
    """(body -> ids, published comments counted, the thread's published_count)."""
    app = create_app(base_config(database_url))
    try:
        with app.app_context():
            rows = db.session.execute(select(Comment.body_source, Comment.id)).all()
            by_body: dict[str, list[int]] = {}
            for body, comment_id in rows:
                by_body.setdefault(body, []).append(comment_id)
            published = db.session.scalar(
                select(func.count(Comment.id)).where(Comment.status == Status.PUBLISHED)
            )
            counter = db.session.scalar(select(func.coalesce(func.sum(Thread.published_count), 0)))
            return by_body, published, counter
    finally:
        with app.app_context():
            db.engine.dispose()


def assert_everything_acknowledged_is_stored_once(outcome: harness.Outcome, url: str) -> None:
    by_body, published, counter = stored(url)
    missing = [body for body in outcome.acknowledged if body not in by_body]
    assert missing == [], f"{len(missing)} acknowledged comments lost"
    duplicated = {body: ids for body, ids in by_body.items() if len(ids) > 1}
    assert duplicated == {}
    for body, comment_id in outcome.acknowledged.items():
        assert by_body[body] == [comment_id]
    # The denormalised count is exact, whatever was interrupted.
    assert counter == published


def test_kill_9_of_a_worker_loses_no_acknowledged_comment(
    database_for_load: str, tmp_path: Path
) -> None:
    env = harness.service_env(database_for_load)
    harness.prepare_database(env)
    outcome = harness.Outcome()
    with harness.serve(env, tmp_path, workers=2) as server:
        join = harness.run_posters(
            server.port, posters=8, seconds=CRASH_SECONDS, outcome=outcome, tag="crash"
        )
        killed = []
        for _round in range(3):
            time.sleep(CRASH_SECONDS / 4)
            workers = server.workers()
            assert workers, "gunicorn has no workers"
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])
        join()
        # gunicorn replaced the killed workers and still answers.
        time.sleep(1)
        assert not set(killed) & set(server.workers())
    assert len(outcome.acknowledged) > 20, outcome.statuses
    assert outcome.failures == []
    assert_everything_acknowledged_is_stored_once(outcome, database_for_load)


def test_64_concurrent_posters_into_one_thread(database_for_load: str, tmp_path: Path) -> None:
    env = harness.service_env(database_for_load)
    harness.prepare_database(env)
    outcome = harness.Outcome()
    with harness.serve(env, tmp_path, workers=4) as server:
        join = harness.run_posters(
            server.port,
            posters=CONCURRENT_POSTERS,
            seconds=CONCURRENCY_SECONDS,
            outcome=outcome,
            tag="concurrent",
        )
        join()
        log = server.log.read_text(errors="replace")
    assert outcome.failures == [], outcome.failures[:5]
    assert set(outcome.statuses) <= {201}, outcome.statuses
    assert len(outcome.acknowledged) >= CONCURRENT_POSTERS
    assert "database is locked" not in log
    assert_everything_acknowledged_is_stored_once(outcome, database_for_load)
