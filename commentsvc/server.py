"""``commentsvc serve``: gunicorn with the settings that matter, the app built once."""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import tempfile
from typing import Any

# Seconds a worker may spend on one request before gunicorn replaces it. Requests here are
# milliseconds; a stuck one (a dead database connection) must not hold a worker for long.
TIMEOUT = 30
# On SIGTERM / SIGHUP, requests in flight get this long to finish.
GRACEFUL_TIMEOUT = 20
# Behind a proxy keeping connections open (nginx upstream keepalive), a little above its own.
KEEPALIVE = 5
# Threads per worker. Gunicorn's sync workers close every connection after one request; the
# threaded ones keep it open (KEEPALIVE), which spares a TCP handshake per request from the
# proxy or the browser, and let a worker serve others while one request waits on the database.
THREADS = 2
# Recycle a worker after this many requests (plus up to the jitter, so they never all go at
# once): a guard against a slow leak, not a routine. At 10,000 a busy worker was replaced every
# few seconds, and each replacement cost its first readers a cold start.
MAX_REQUESTS = 1_000_000
MAX_REQUESTS_JITTER = 100_000


def default_workers() -> int:
    """Gunicorn's rule of thumb: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


def prepare_metrics_dir() -> str:
    """A fresh directory for the workers' Prometheus samples, removed at exit.

    Must run before ``prometheus_client`` is first imported, which decides then whether values
    live in process memory or in shared files.
    """
    existing = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if existing:
        os.makedirs(existing, exist_ok=True)
        for name in os.listdir(existing):  # samples of a previous run would be added to ours
            if name.endswith(".db"):
                os.unlink(os.path.join(existing, name))
        return existing
    path = tempfile.mkdtemp(prefix="commentsvc-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    atexit.register(_remove_directory, path, owner_pid=os.getpid())
    return path


def _remove_directory(path: str, *, owner_pid: int) -> None:
    # Workers are forked with this exit hook too; only the master may remove the directory.
    if os.getpid() == owner_pid:
        shutil.rmtree(path, ignore_errors=True)


def run_with_gunicorn(flask_app: Any, options: dict[str, Any]) -> None:
    """Serve ``flask_app`` with gunicorn and these settings until stopped."""
    # Imported here: every CLI command imports this module (for THREADS), few of them serve.
    from gunicorn.app.base import BaseApplication

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return flask_app

    _Gunicorn().run()


def _post_fork(server: Any, worker: Any) -> None:
    """Drop database connections inherited from the master: each worker opens its own."""
    app = worker.app.load()
    from commentsvc.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    # Each worker also delivers due outbox messages (e-mails, webhooks); claims keep two
    # workers from sending the same one. ``commentsvc worker`` does the same on its own.
    from commentsvc.outbox import start_background_worker

    start_background_worker(app)


def _child_exit(server: Any, worker: Any) -> None:
    from commentsvc.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)


def prepare_for_fork(app: Any) -> None:
    """Do once in the master what every worker would otherwise do on its first requests.

    Templates are compiled and the catalogues loaded here, so a new or replaced worker answers
    its first readers at full speed. Then everything built so far (the app, the spam model) is
    frozen out of the garbage collector's reach: a full collection of it paused all of a
    worker's threads for about 100 ms, and scanning it would also copy the shared pages into
    every worker.
    """
    from flask_babel import force_locale, get_translations

    from commentsvc.i18n import SUPPORTED

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    for lang in app.config.get("LANGUAGES") or SUPPORTED:
        with app.test_request_context(), force_locale(lang):
            get_translations()
    gc.collect()
    gc.freeze()


def logconfig(level: str) -> dict[str, Any]:
    """Gunicorn's own messages as JSON lines too, like the app's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "commentsvc.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["console"], "propagate": False}
        },
    }


def gunicorn_options(
    host: str,
    port: int,
    workers: int | None,
    *,
    threads: int | None = None,
    log_level: str = "info",
) -> dict[str, Any]:
    """The gunicorn settings of ``commentsvc serve``."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "commentsvc.balanced_worker.BalancedThreadWorker",
        "threads": threads or THREADS,
        # The app (and so the spam model) is built once in the master and shared copy-on-write.
        "preload_app": True,
        "timeout": TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": KEEPALIVE,
        # The app writes the access log itself, as JSON lines carrying the request id.
        "accesslog": None,
        "logger_class": "commentsvc.gunicorn_logger.AppAccessLogger",
        "loglevel": log_level,
        "logconfig_dict": logconfig(log_level.upper()),
        # Heartbeat files in memory: a slow disk must not make gunicorn kill healthy workers.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # Recycle workers now and then, staggered, so a slow leak never takes all at once.
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        "post_fork": _post_fork,
        "child_exit": _child_exit,
        "proc_name": "commentsvc",
    }


def run_gunicorn(*, host: str, port: int, workers: int | None, threads: int | None = None) -> None:
    """Build the app once, then serve it with gunicorn until stopped (SIGTERM: graceful)."""
    prepare_metrics_dir()
    from commentsvc import create_app

    app = create_app()
    prepare_for_fork(app)
    level = str(app.config.get("LOG_LEVEL") or "info").lower()
    options = gunicorn_options(host, port, workers, threads=threads, log_level=level)
    run_with_gunicorn(app, options)
