"""Browser-test infrastructure, shared by every team: a live server and Debian's chromium.

- ``live_server``: the app on a fresh database, served on 127.0.0.1:<free port> from a thread.
  Its ``app`` is there to create data (inside ``live_server.app.app_context()``).
- ``static_server``: serves pages you give it from another origin (http://localhost:<port>),
  to play the publisher's site; ``localhost`` and ``127.0.0.1`` are different sites to a browser.
- ``launch_chromium(*extra_args)``: Playwright driving /usr/bin/chromium with the team's flags.
  Where chromium is missing it is installed with apt-get when possible; otherwise the test is
  skipped with the reason. ``browser`` is a ready default instance.
- ``artifact(name)``: a path under ``test-artifacts/`` (git-ignored) for screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from commentsvc import create_app
from commentsvc.localserver import free_port
from tests.conftest import BACKEND, _truncate_all, base_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@dataclass
class LiveServer:
    app: Flask
    url: str  # http://127.0.0.1:<port>, no trailing slash
    port: int


@pytest.fixture
def live_app_config() -> dict[str, Any]:
    """Override in a module to change the live server's configuration."""
    return {}


@pytest.fixture
def live_server(database_url: str, live_app_config: dict[str, Any]) -> Iterator[LiveServer]:
    """The app on its own fresh database, in a background thread."""
    app = create_app(base_config(database_url, **live_app_config))
    if BACKEND == "postgresql":
        _truncate_all(app)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            from commentsvc.extensions import db

            db.session.remove()
            db.engine.dispose()


@dataclass
class StaticServer:
    """Pages of a pretend publisher, served from http://localhost:<port>."""

    port: int
    pages: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def add(self, path: str, html: str) -> str:
        self.pages[path] = html
        return self.origin + path


@pytest.fixture
def static_server() -> Iterator[StaticServer]:
    site = StaticServer(port=free_port())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", site.port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _ensure_chromium() -> str | None:
    """None when chromium is usable, else why not (after trying apt-get as root)."""
    if os.path.exists(CHROMIUM):
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get)"
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
            check=True,
            capture_output=True,
            timeout=600,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"{CHROMIUM} is missing and apt-get could not install it: {exc}"
    return None if os.path.exists(CHROMIUM) else f"{CHROMIUM} still missing after apt-get"


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    problem = _ensure_chromium()
    if problem:
        pytest.skip(problem)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def launch_chromium(playwright_instance: Any) -> Iterator[Callable[..., Any]]:
    """Start chromium with the team's flags plus ``extra_args``; closed after the session."""
    launched: list[Any] = []

    def launch(*extra_args: str) -> Any:
        browser = playwright_instance.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], headless=True
        )
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


@pytest.fixture(scope="session")
def browser(launch_chromium: Callable[..., Any]) -> Any:
    return launch_chromium()


@pytest.fixture
def artifact() -> Callable[[str], Path]:
    def path(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        return ARTIFACTS / name

    return path
