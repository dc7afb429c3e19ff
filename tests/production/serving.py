"""Run ``commentsvc serve`` as a separate process for tests, and talk to it over HTTP."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commentsvc.localserver import child_server, free_port, served_env
from tests.conftest import TEST_SECRET

STARTUP_SECONDS = 60


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        data: bytes | None = None,
        headers=None,
        opener: urllib.request.OpenerDirector | None = None,
    ) -> Reply:
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=headers or {}
        )
        open_url = opener.open if opener else urllib.request.urlopen
        try:
            with open_url(req, timeout=30) as response:
                return Reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Reply(error.code, dict(error.headers), error.read())

    def post_json(self, path: str, body: dict[str, Any]) -> Reply:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        return self.request(path, method="POST", data=data, headers=headers)

    def access_lines(self) -> list[dict[str, Any]]:
        lines = self.stdout.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


def worker_pids(master: int) -> list[int]:
    """PIDs of a gunicorn master's worker processes (its children), read from ``/proc``."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended while we looked
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == master:
            children.append(int(entry.name))
    return children


def browser() -> urllib.request.OpenerDirector:
    """An HTTP client that keeps cookies (a moderator's session), like a browser."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a served app: ours, without test or leftover commentsvc settings."""
    return served_env(database_url, TEST_SECRET, **settings)


def _answers_health(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:  # refused while starting, or an HTTP error
        return False


@contextmanager
def running_server(env: dict[str, str], tmp_path: Path, *, workers: int = 2) -> Iterator[Server]:
    """``commentsvc serve`` on a free port until the block ends, then a graceful stop."""
    port = free_port()
    stdout = tmp_path / f"serve-{port}.out"
    stderr = tmp_path / f"serve-{port}.err"
    command = [sys.executable, "-m", "commentsvc", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    base_url = f"http://127.0.0.1:{port}"
    with child_server(
        command,
        env=env,
        stdout=stdout,
        stderr=stderr,
        ready=lambda _process: _answers_health(base_url),
        startup_seconds=STARTUP_SECONDS,
    ) as process:
        yield Server(base_url, process, stdout, stderr)
