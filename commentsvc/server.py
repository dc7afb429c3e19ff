"""``commentsvc serve``: gunicorn with the settings that matter, the app built once."""

from __future__ import annotations

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from commentsvc import create_app

        return create_app()


def gunicorn_options(host: str, port: int, workers: int | None) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "preload_app": True,
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-",
        "max_requests": 10_000,
        "max_requests_jitter": 1_000,
    }


def run_gunicorn(*, host: str, port: int, workers: int | None) -> None:
    _Gunicorn(gunicorn_options(host, port, workers)).run()
