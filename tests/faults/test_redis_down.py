"""Redis unreachable: rate limits fail open or closed as configured, logged, never a 500.

Each case runs in a fresh interpreter: Flask-Limiter keeps some settings (swallow errors) on
its process-wide object from the first app built, so two apps in one process would not show
what a production process does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from commentsvc.localserver import free_port
from tests.conftest import BACKEND

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, logging, sys
from flask_migrate import upgrade
from commentsvc import create_app
from commentsvc.extensions import db
from commentsvc.models import Comment
from tests.conftest import base_config
from tests.factories import make_site

database_url, redis_url, fail_open = sys.argv[1], sys.argv[2], sys.argv[3] == "open"
records = []

class Collect(logging.Handler):
    def emit(self, record):
        records.append([record.levelname, record.name, record.getMessage()[:300]])

for name in ("", "flask-limiter", "commentsvc"):  # flask-limiter does not propagate
    logging.getLogger(name).addHandler(Collect(level=logging.WARNING))
config = base_config(
    database_url, RATELIMIT_ENABLED=True, REDIS_URL=redis_url, RATELIMIT_FAIL_OPEN=fail_open
)
config.pop("CACHE_TYPE")  # the cache uses Redis too, as in production
app = create_app(config)
results = {}
with app.app_context():
    upgrade()
    make_site("r", origins=["https://r.example"], mode="post", min_seconds=0)
    client = app.test_client()
    document = {"url": "https://r.example/a", "author": "Ana", "email": "ana@example.org",
                "body": "Bonjour"}
    answer = client.post("/api/v1/sites/r/comments", json=document,
                         headers={"Origin": "https://r.example"})
    results["api"] = [answer.status_code, answer.mimetype, answer.headers.get("Retry-After")]
    thread = client.get("/api/v1/sites/r/comments", query_string={"url": "https://r.example/a"})
    results["read"] = [thread.status_code, thread.mimetype, thread.headers.get("Retry-After")]
    embed = client.get("/embed/r", query_string={"url": "https://r.example/a"})
    results["embed"] = [embed.status_code, embed.mimetype, embed.headers.get("Retry-After")]
    db.session.rollback()
    results["stored"] = db.session.query(Comment).count()
print(json.dumps({"results": results, "logs": records}))
"""


def run_case(tmp_path: Path, mode: str) -> dict:
    if BACKEND == "postgresql":
        pytest.skip("runs in the SQLite pass already: the database plays no part here")
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    database = f"sqlite:///{tmp_path / 'redis-down.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, database, dead_redis, mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warned(logs: list[list[str]]) -> bool:
    return any(
        level in {"WARNING", "ERROR"} and ("redis" in text.lower() or "limit" in text.lower())
        for level, _name, text in logs
    )


def test_fail_open_posts_anyway_and_says_so(tmp_path: Path) -> None:
    report = run_case(tmp_path, "open")
    results = report["results"]
    assert results["api"][0] == 201, report
    assert results["stored"] == 1
    assert results["read"][0] == 200 and results["embed"][0] == 200, report
    assert _warned(report["logs"]), report["logs"]


def test_fail_closed_refuses_with_503_and_stores_nothing(tmp_path: Path) -> None:
    report = run_case(tmp_path, "closed")
    results = report["results"]
    status, mimetype, retry_after = results["api"]
    assert (status, mimetype) == (503, "application/problem+json"), report
    assert retry_after and int(retry_after) > 0
    assert results["stored"] == 0
    # Reading is not rate limited: it works without Redis whatever the setting.
    assert results["read"][0] == 200 and results["embed"][0] == 200, report
    assert _warned(report["logs"]), report["logs"]
