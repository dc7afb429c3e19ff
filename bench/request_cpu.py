"""CPU time of one request, in one process, against the minimal Flask app: figures the
machine's load barely moves (``python -m bench.request_cpu``).

Wall-clock benchmarks on a shared machine swing with what else runs; the CPU time a thread
spends answering one request does not. Each request is a WSGI call (no HTTP, no gunicorn) on a
10,000-comment SQLite database seeded like the benchmark's, with the access log written (to
/dev/null) as in production. Best of five rounds; the ratio is to the minimal app measured in
the same process.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.isso_ref import count_uris
from bench.seed import ORIGIN, SITE, Plan, seed
from bench.servers import BENCH_SECRET


def _environ(path: str, query: str = "", cookie: str | None = None) -> dict:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _caller(app: Callable, environ: dict) -> Callable[[], int]:
    statuses: list[str] = []

    def start_response(status: str, _headers: list, _exc_info=None) -> None:
        statuses.append(status)

    def call() -> int:
        request = dict(environ, **{"wsgi.input": io.BytesIO(b"")})
        body = app(request, start_response)
        size = sum(len(chunk) for chunk in body)
        getattr(body, "close", lambda: None)()
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[-1]}")
        return size

    return call


def cpu_ms(call: Callable[[], int], *, requests: int, rounds: int = 5) -> float:
    """Best of ``rounds``: CPU milliseconds of this thread per call."""
    for _ in range(20):
        call()  # warm: caches filled, kept responses stored
    best = float("inf")
    for _ in range(rounds):
        started = time.thread_time()
        for _ in range(requests):
            call()
        best = min(best, (time.thread_time() - started) / requests * 1000)
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per round (300)")
    args = parser.parse_args(argv)
    out = sys.stdout
    work = Path(tempfile.mkdtemp(prefix="commentsvc-request-cpu-"))
    database = f"sqlite:///{work / 'cpu.sqlite3'}"
    # The app logs one JSON line per request to standard output, as in production: there
    # /dev/null (every app built here, the seeder's included, logs to the stream set now).
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (kept open for the whole run)
    print("seeding 10,000 comments…", file=sys.stderr, flush=True)
    seed(database, Plan(10_000, 100, 1_000), progress=False)
    os.environ.update(COMMENTSVC_DATABASE_URL=database, COMMENTSVC_SECRET_KEY=BENCH_SECRET)
    from bench.minimal_app import app as minimal
    from commentsvc import create_app

    app = create_app()
    page = urllib.parse.urlencode({"url": f"{ORIGIN}/t100"})
    counts = urllib.parse.urlencode({"url": [f"{ORIGIN}{u}" for u in count_uris()]}, doseq=True)
    cookie = "publisher_pref=dark"  # any cookie takes a read past the front cache
    rows = [
        ("minimal Flask app, 2 KB JSON", minimal, _environ("/")),
        ("GET JSON t100", app, _environ(f"/api/v1/sites/{SITE}/comments", page)),
        ("GET iframe t100", app, _environ(f"/embed/{SITE}", page)),
        (
            "GET JSON t100, with a cookie (Flask, shared cache)",
            app,
            _environ(f"/api/v1/sites/{SITE}/comments", page, cookie),
        ),
        (
            "GET iframe t100, with a cookie (Flask, shared cache)",
            app,
            _environ(f"/embed/{SITE}", page, cookie),
        ),
        ("GET counts 50", app, _environ(f"/api/v1/sites/{SITE}/counts", counts)),
        ("GET /healthz", app, _environ("/healthz")),
    ]
    figures = [
        (name, cpu_ms(_caller(wsgi, env), requests=args.requests)) for name, wsgi, env in rows
    ]
    floor = figures[0][1]
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", file=out)
    print("| request | CPU per request | × minimal |", file=out)
    print("|---|---|---|", file=out)
    for name, milliseconds in figures:
        print(f"| {name} | {milliseconds:.3f} ms | {milliseconds / floor:.1f} |", file=out)


if __name__ == "__main__":
    main()
