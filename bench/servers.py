"""The servers under test, each a gunicorn master with its workers, started and stopped here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from commentsvc import balanced_worker
from commentsvc.localserver import child_server, free_port, served_env
from commentsvc.server import MAX_REQUESTS, MAX_REQUESTS_JITTER, THREADS

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
BENCH_SECRET = "bench-secret-key-0123456789abcdef"
ISSO_VENV = ROOT / "bench" / ".isso-venv"
# The gunicorn settings of `commentsvc serve`, spelled as command-line flags for Isso.
GUNICORN_FLAGS = [
    "--worker-class=balanced_worker.BalancedThreadWorker",  # a copy of commentsvc's, below
    f"--threads={THREADS}",
    "--preload",
    "--timeout=30",
    "--graceful-timeout=20",
    "--keep-alive=5",
    f"--max-requests={MAX_REQUESTS}",
    f"--max-requests-jitter={MAX_REQUESTS_JITTER}",
    "--worker-tmp-dir=/dev/shm",
]


@dataclass
class Running:
    name: str
    process: subprocess.Popen
    base_url: str
    log: Path

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user + system) each worker has used so far, by pid."""
        return {pid: _cpu_seconds(pid) for pid in self.worker_pids()}

    def memory(self) -> dict[str, float]:
        """Mean resident and proportional set size per worker, in MB."""
        rss, pss = [], []
        for pid in self.worker_pids():
            rss.append(_status_kb(pid, "VmRSS") / 1024)
            pss.append(_rollup_kb(pid, "Pss") / 1024)
        if not rss:
            return {"rss_mb": 0.0, "pss_mb": 0.0}
        return {"rss_mb": sum(rss) / len(rss), "pss_mb": sum(pss) / len(pss)}


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _cpu_seconds(pid: int) -> float:
    path = Path(f"/proc/{pid}/stat")
    if not path.exists():
        return 0.0
    fields = path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _status_kb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return 0.0


def _rollup_kb(pid: int, field: str) -> float:
    path = Path(f"/proc/{pid}/smaps_rollup")
    if not path.exists():
        return 0.0
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return 0.0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


@contextmanager
def _started(name: str, command: list[str], env: dict[str, str], port: int, probe: str, logs: Path):
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    base_url = f"http://127.0.0.1:{port}"

    def ready(process: subprocess.Popen) -> bool:
        # Every worker forked, not only the first one answering.
        return _answers(base_url + probe) and len(_children(process.pid)) >= WORKERS

    with child_server(
        command, env=env, stdout=log, ready=ready, startup_seconds=90, cwd=ROOT
    ) as process:
        yield Running(name, process, base_url, log)


def commentsvc_env(database_url: str, redis_url: str | None = None) -> dict[str, str]:
    settings = {"RATELIMIT_ENABLED": "false"}
    if redis_url:
        settings["REDIS_URL"] = redis_url
    return served_env(database_url, BENCH_SECRET, **settings)


@contextmanager
def commentsvc(database_url: str, logs: Path, redis_url: str | None = None) -> Iterator[Running]:
    """``commentsvc serve`` with 4 workers (its access log goes to the log file, as it would)."""
    port = free_port()
    command = [sys.executable, "-m", "commentsvc", "serve", "--port", str(port)]
    command += ["--workers", str(WORKERS)]
    env = commentsvc_env(database_url, redis_url)
    with _started("commentsvc", command, env, port, "/readyz", logs) as running:
        yield running


@contextmanager
def minimal(logs: Path) -> Iterator[Running]:
    port = free_port()
    command = [sys.executable, "-m", "bench.minimal_app", "--port", str(port)]
    command += ["--workers", str(WORKERS)]
    with _started("minimal", command, dict(os.environ), port, "/", logs) as running:
        yield running


def isso_available() -> str | None:
    """Why Isso cannot run, or None."""
    if not (ISSO_VENV / "bin" / "gunicorn").exists():
        return f"no Isso virtual environment at {ISSO_VENV} (make bench-isso)"
    return None


def write_isso_config(workdir: Path, port: int) -> Path:
    """Isso's settings for the benchmark: its database in ``workdir``, moderation and its
    guard (rate limits) off."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {workdir / 'comments.db'}\n"
        "host = https://bench.example.org/\n"
        "[moderation]\nenabled = false\n"
        "[guard]\nenabled = false\n"
        f"[server]\nlisten = http://127.0.0.1:{port}/\n"
    )
    return config


@contextmanager
def isso(workdir: Path, logs: Path) -> Iterator[Running]:
    """Isso 0.14 under gunicorn with the same settings; moderation and rate limits off."""
    port = free_port()
    config = write_isso_config(workdir, port)
    command = [str(ISSO_VENV / "bin" / "gunicorn"), f"--workers={WORKERS}", *GUNICORN_FLAGS]
    command += [f"--bind=127.0.0.1:{port}", "isso.run:application"]
    # The same worker class as ``commentsvc serve``: its module needs only gunicorn, so a copy
    # on Isso's path serves without the rest of commentsvc.
    worker_path = workdir / "worker"
    worker_path.mkdir(exist_ok=True)
    shutil.copy(balanced_worker.__file__, worker_path)
    env = {**os.environ, "ISSO_SETTINGS": str(config), "PYTHONPATH": str(worker_path)}
    with _started("isso", command, env, port, "/?uri=/t10", logs) as running:
        yield running
