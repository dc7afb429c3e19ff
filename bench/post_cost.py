"""What one comment post costs in one process, and how long it holds the write lock.

    python -m bench.post_cost                 # CPU ms per form POST, write transaction time
    python -m bench.post_cost --profile 25    # plus cProfile's top 25 functions (cumulative)
    python -m bench.post_cost --isso          # and Isso's POST /new, rounds alternating

A fresh SQLite file with the benchmark's site (``bench``, mode auto, French, the real spam
model) and an empty page; the same form post as ``bench/lua/post_form.lua`` (a token served
by the iframe page, a unique text each time, rate limits on: the in-process backend) through
the WSGI app without HTTP. Prints, per POST, the CPU time of this thread and the wall time
between the write transaction's ``BEGIN IMMEDIATE`` and its end (what every other writer
waits for), best of the rounds. With ``--isso``, each round is followed by one of Isso 0.14's
``POST /new`` in its own interpreter (``bench/isso_post_cost.py``), and the CPU ratio of the
best rounds is printed: on a machine whose speed drifts, a figure that wall-clock runs of the
two servers cannot give. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.seed import ORIGIN, SITE
from bench.servers import ISSO_VENV, write_isso_config

PAGE = f"{ORIGIN}/post"


class WriteClock:
    """Wall time from each ``BEGIN IMMEDIATE`` to the COMMIT or ROLLBACK that ends it."""

    def __init__(self, engine: Any) -> None:
        self.held: list[float] = []
        self.statements: list[int] = []
        self._started: float | None = None
        self._count = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def _statement(self, _conn, _cursor, statement: str, *_args) -> None:
        if statement.startswith("BEGIN IMMEDIATE"):
            self._started = time.perf_counter()
            self._count = 0
        elif self._started is not None:
            self._count += 1

    def _end(self, _conn) -> None:
        if self._started is not None:
            self.held.append((time.perf_counter() - self._started) * 1000)
            self.statements.append(self._count)
            self._started = None


def _app(tmp: Path, *, rate_limits: bool):
    from flask_migrate import upgrade

    from commentsvc import create_app
    from commentsvc.sites import create_site

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'post.sqlite3'}",
            "SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": rate_limits,
            # Every post of the run comes from one address: the limits are counted, never hit.
            "COMMENT_RATE_LIMIT_PER_IP": "1000000/minute",
            "COMMENT_RATE_LIMIT_PER_THREAD": "1000000/minute",
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        create_site(SITE, origins=[ORIGIN], mode="auto", lang="fr")
    return app


def _token(client) -> str:
    page = client.get(f"/embed/{SITE}", query_string={"url": PAGE}).get_data(as_text=True)
    found = re.search(r'name="token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="token"', page
    )
    if found is None:
        raise RuntimeError("no form token in the iframe page")
    time.sleep(3.5)  # the site holds forms filled faster than 3 s, as a reader would wait
    return found.group(1)


def _post(client, token: str, n: int) -> None:
    form = {
        "token": token,
        "url": PAGE,
        "title": "Bench",
        "author": f"Lecteur {n % 16}",
        "email": f"lecteur{n % 16}@example.fr",
        "body": f"Avis numéro {n} du lecteur {n % 16} : l'article est clair, merci.",
    }
    response = client.post(f"/embed/{SITE}/comments", data=form)
    if response.status_code != 303:
        raise RuntimeError(f"post {n} answered {response.status_code}")


def isso_round(posts: int) -> float:
    """CPU ms per POST of one round of Isso's, in a fresh process of its own interpreter."""
    script = Path(__file__).with_name("isso_post_cost.py")
    # Port 9 (discard): the app is called in-process, nothing listens.
    config = write_isso_config(Path(tempfile.mkdtemp(prefix="bench-isso-post-")), 9)
    command = [str(ISSO_VENV / "bin" / "python"), str(script), "--config", str(config)]
    done = subprocess.run(
        [*command, "--posts", str(posts)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])["cpu_ms"][0]


def against_isso(ours: list[float], isso: list[float]) -> str:
    """Both sides' CPU per POST and their ratio, best round against best round."""
    return (
        f"  Isso's POST /new: best {min(isso):.2f} ms, median {statistics.median(isso):.2f} ms;"
        f" ours / Isso's (best rounds): {min(ours) / min(isso):.2f}×"
    )


def run(rounds: int, posts: int, profile: int, rate_limits: bool, isso: bool = False) -> None:
    from commentsvc.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-post-"))
    app = _app(tmp, rate_limits=rate_limits)
    client = app.test_client()
    token = _token(client)
    with app.app_context():
        clock = WriteClock(db.engine)
    n = 0
    for _ in range(20):  # warm-up: caches, the model's first call, the thread row
        _post(client, token, n := n + 1)
    cpu, wall, isso_cpu = [], [], []
    for _ in range(rounds):
        clock.held.clear()
        clock.statements.clear()
        started_cpu, started_wall = time.thread_time(), time.perf_counter()
        for _ in range(posts):
            _post(client, token, n := n + 1)
        cpu.append((time.thread_time() - started_cpu) * 1000 / posts)
        wall.append((time.perf_counter() - started_wall) * 1000 / posts)
        if isso:
            isso_cpu.append(isso_round(posts))
    print(f"form POST, {rounds} rounds of {posts} (rate limits {'on' if rate_limits else 'off'})")
    print(f"  CPU per POST: best {min(cpu):.2f} ms, median {statistics.median(cpu):.2f} ms")
    print(f"  wall per POST: best {min(wall):.2f} ms")
    print(
        f"  write transaction (BEGIN IMMEDIATE → end): median {statistics.median(clock.held):.2f}"
        f" ms, max {max(clock.held):.2f} ms, statements {sorted(set(clock.statements))}"
    )
    if isso:
        print(against_isso(cpu, isso_cpu))
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(posts):
            _post(client, token, n := n + 1)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(profile)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=100, help="per round (100)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print top N")
    parser.add_argument("--no-rate-limits", action="store_true", help="as the wrk benchmark runs")
    parser.add_argument(
        "--isso", action="store_true", help="alternate with Isso's rounds (needs make bench-isso)"
    )
    args = parser.parse_args(argv)
    if args.isso and not (ISSO_VENV / "bin" / "python").exists():
        parser.error(f"no Isso virtual environment at {ISSO_VENV} (make bench-isso)")
    run(args.rounds, args.posts, args.profile, not args.no_rate_limits, args.isso)


if __name__ == "__main__":
    main()
