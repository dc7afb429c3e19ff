"""A real ``commentsvc serve`` (gunicorn) in a subprocess, and posters that hammer it.

Used by the crash-safety and concurrency tests: they need real worker processes to kill and
real concurrent connections, which the Flask test client cannot give.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from commentsvc.localserver import free_port
from tests.production.serving import worker_pids

SITE = "load"
ORIGIN = "https://load.example.org"
PAGE = f"{ORIGIN}/articles/one"
COMMANDS = Path(sys.executable).parent


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTSVC_")}
    env.update(
        COMMENTSVC_DATABASE_URL=database_url,
        COMMENTSVC_SECRET_KEY="load-test-secret-key-0123456789",
        COMMENTSVC_RATELIMIT_ENABLED="false",
        COMMENTSVC_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate and register the site the posters use (published at once: mode post).

    In this process: the commands would each pay the whole start-up again.
    """
    from commentsvc import create_app
    from commentsvc.extensions import db
    from tests.conftest import base_config, migrate_to_head
    from tests.factories import make_site

    url = env["COMMENTSVC_DATABASE_URL"]
    migrate_to_head(url)
    app = create_app(base_config(url))
    with app.app_context():
        make_site(SITE, origins=[ORIGIN], mode="post", min_seconds=0)
        db.session.remove()
        db.engine.dispose()


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def workers(self) -> list[int]:
        """PIDs of gunicorn's worker processes (children of the master)."""
        return worker_pids(self.process.pid)


def _wait_ready(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise ServerDied(f"commentsvc serve exited with {process.returncode}:\n{tail}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()  # the server keeps connections open (threaded workers)
    raise RuntimeError("commentsvc serve did not answer /healthz in time")


class ServerDied(RuntimeError):
    pass


def _start(env: dict[str, str], log: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(COMMANDS / "commentsvc"), "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, port


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # quick shutdown: the test is over
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: master and workers
        process.wait(timeout=10)


@contextmanager
def serve(env: dict[str, str], log_dir: Path, *, workers: int = 2) -> Iterator[Server]:
    """``commentsvc serve`` on a free port; stopped (INT, then KILL) afterwards."""
    log = log_dir / "serve.log"
    # Inside the test's directory, so that a killed master leaves nothing behind.
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(log_dir / "metrics")}
    for attempt in range(3):
        process, port = _start(env, log, workers)
        try:
            _wait_ready(port, process, log)
            break
        except ServerDied:
            # Another test may have taken the free port between our probe and gunicorn's bind.
            if attempt == 2 or "in use" not in log.read_text(errors="replace"):
                raise
        except BaseException:
            _stop(process)
            raise
    try:
        yield Server(process, port, log)
    finally:
        _stop(process)


@dataclass
class Outcome:
    acknowledged: dict[str, int] = field(default_factory=dict)  # body -> comment id
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, body: str, status: int, payload: bytes) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status in (201, 202):
                document = json.loads(payload)
                self.acknowledged[body] = document.get("id") or document["comment"]["id"]
            elif b"locked" in payload.lower() or status >= 500:
                self.failures.append(f"{status}: {payload[:200]!r}")


def post_comment(connection: http.client.HTTPConnection, body: str) -> tuple[int, bytes]:
    document = {
        "url": PAGE,
        "title": "Load",
        "author": "Poster",
        "email": "poster@example.org",
        "body": body,
    }
    connection.request(
        "POST",
        f"/api/v1/sites/{SITE}/comments",
        body=json.dumps(document),
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
    )
    response = connection.getresponse()
    return response.status, response.read()


def run_posters(
    port: int, *, posters: int, seconds: float, outcome: Outcome, tag: str
) -> Callable[[], None]:
    """Start ``posters`` threads posting unique bodies for ``seconds``; returns a join()."""
    stop_at = time.monotonic() + seconds

    def poster(number: int) -> None:
        sent = 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            sent += 1
            body = f"{tag} poster {number} comment {sent}"
            try:
                status, payload = post_comment(connection, body)
            except (OSError, http.client.HTTPException):
                # A killed worker drops its connections: not acknowledged, so not promised.
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            outcome.record(body, status, payload)
        connection.close()

    threads = [threading.Thread(target=poster, args=(n,), daemon=True) for n in range(posters)]
    for thread in threads:
        thread.start()

    def join() -> None:
        for thread in threads:
            thread.join(timeout=seconds + 60)

    return join
