"""A server as a child process on a free local port, stopped gracefully: for the test suite
(``tests/production/serving.py``, the browser tests) and the benchmark (``bench/servers.py``).

Not used by the product itself; it lives in the package so that both can import it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# Requests in flight get this long after SIGTERM, as under ``commentsvc serve`` (and more).
STOP_SECONDS = 40


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served_env(database_url: str, secret_key: str, **settings: str) -> dict[str, str]:
    """This environment without any commentsvc setting, then the database, key and settings.

    ``settings`` are named without their ``COMMENTSVC_`` prefix (``REDIS_URL=...``).
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMMENTSVC_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(COMMENTSVC_DATABASE_URL=database_url, COMMENTSVC_SECRET_KEY=secret_key)
    env.update({f"COMMENTSVC_{key}": value for key, value in settings.items()})
    return env


@contextmanager
def child_server(
    command: list[str],
    *,
    env: dict[str, str],
    stdout: Path,
    stderr: Path | None = None,
    ready: Callable[[subprocess.Popen], bool],
    startup_seconds: float = 60,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends; yield once ``ready(process)`` is true.

    Output goes to ``stdout`` (and ``stderr``, or the same file). Exiting early or not being
    ready in time raises with the end of the log. The block's end sends SIGTERM, waits for a
    graceful stop, and kills only if that takes too long.
    """
    with stdout.open("wb") as out:
        if stderr is None:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=cwd)
        else:
            with stderr.open("wb") as err:
                process = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=cwd)
    log = stderr or stdout
    try:
        deadline = time.monotonic() + startup_seconds
        while not ready(process):
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited early: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} was not ready in time: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
