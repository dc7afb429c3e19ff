"""Run ``commentsvc serve`` as a separate process for tests, and talk to it over HTTP."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import TEST_SECRET

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def browser() -> urllib.request.OpenerDirector:
    """An HTTP client that keeps cookies (a moderator's session), like a browser."""
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a served app: ours, without test or leftover commentsvc settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMMENTSVC_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(COMMENTSVC_DATABASE_URL=database_url, COMMENTSVC_SECRET_KEY=TEST_SECRET)
    env.update({f"COMMENTSVC_{key}": value for key, value in settings.items()})
    return env


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"serve exited early: {server.stderr.read_text()[-2000:]}")
        try:
            if server.request("/healthz").status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("serve did not answer /healthz in time")


@contextmanager
def running_server(env: dict[str, str], tmp_path: Path, *, workers: int = 2) -> Iterator[Server]:
    """``commentsvc serve`` on a free port until the block ends, then a graceful stop."""
    port = free_port()
    stdout = tmp_path / f"serve-{port}.out"
    stderr = tmp_path / f"serve-{port}.err"
    command = [sys.executable, "-m", "commentsvc", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
    server = Server(f"http://127.0.0.1:{port}", process, stdout, stderr)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
