"""commentsvc against two references, in one run: ``python -m bench`` (``make bench``).

wrk against ``commentsvc serve`` (4 gunicorn workers, 127.0.0.1) at concurrency 16 and 64,
10 s each after a warm-up: the iframe page and the JSON of threads of 10, 100 and 1,000
comments, a comment posted through the whole pipeline (form token, rules, spam model, write,
cache invalidation; rate limits off), counts for 50 pages. The same on a 1,000,000-comment
database and on PostgreSQL + Redis; the moderation queue's first page; RSS per worker. The
references, under the same gunicorn settings: a minimal Flask app answering 2 KB of JSON, and
Isso 0.14 seeded with the same threads through its API. Then ``bench.spam_speed``.

Not a test: figures depend on the machine and its load, which is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from bench import report, scenarios, servers, wrk
from bench.isso_ref import seed_isso
from bench.seed import Plan, seed

RESULTS = Path(__file__).resolve().parent / "results"
CONCURRENCY = (16, 64)
# The write rows cost ~40 times a read and the shared machine's phases moved them by a third
# between one 10 s window and the next: they are measured this many times, alternating with
# Isso's, and each side keeps its median round.
POST_ROUNDS = 3


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="per measured run (10)")
    parser.add_argument("--warmup", type=float, default=3, help="per warm-up run (3)")
    parser.add_argument("--quick", action="store_true", help="2 s runs, 100k-comment scale")
    parser.add_argument("--workdir", default="/tmp/commentsvc-bench", help="databases go here")
    parser.add_argument("--no-scale", action="store_true", help="skip the 1M-comment database")
    parser.add_argument("--no-isso", action="store_true", help="skip the Isso reference")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL + Redis")
    parser.add_argument("--pg-scale", action="store_true", help="1M comments on PostgreSQL too")
    parser.add_argument("--no-spam", action="store_true", help="skip bench.spam_speed")
    parser.add_argument(
        "--reuse-seed", action="store_true", help="keep databases seeded by an earlier run"
    )
    parser.add_argument("--render", metavar="RUN.json", help="print the table of a saved run")
    parser.add_argument(
        "--only",
        action="append",
        metavar="TEXT",
        help="measure only the scenarios whose name contains TEXT (repeatable, e.g. --only POST);"
        " the minimal Flask reference is always measured",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/commentsvc_bench",
        help="emptied and seeded; created if missing",
    )
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/14", help="its database is flushed first"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.warmup = 2, 1
    return args


def _log(message: str) -> None:
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')}] (load {load}) {message}", file=sys.stderr, flush=True)


def _selected(rows: list[scenarios.Scenario], args) -> list[scenarios.Scenario]:
    """The rows ``--only`` asks for (all without it)."""
    if not args.only:
        return rows
    return [row for row in rows if any(text in row.key for text in args.only)]


def _one(server: servers.Running, row: scenarios.Scenario, connections: int, args) -> dict:
    """One row at one concurrency: a warm-up (not counted), then the measured run, with the
    workers' CPU per request."""
    options = {"connections": connections, "scenario": row.script, "env": row.env}
    if args.warmup:  # caches, connections; its requests are not counted
        wrk.run(server.base_url + row.path, seconds=args.warmup, **options)
    before = server.cpu_seconds()
    figures = wrk.run(server.base_url + row.path, seconds=args.seconds, **options)
    result = figures.as_dict()
    result["cpu_ms"] = _cpu_per_request(before, server.cpu_seconds(), figures.requests)
    return result


class References:
    """The minimal app (kept running) and Isso (restarted for each row), each measured right
    after the commentsvc row it is compared with, so that both see the same machine load.

    Isso is restarted because its workers stall on the long threads and would still be
    rendering them, with a backlog of wrk's abandoned connections, during the next row.
    """

    def __init__(self, floor: servers.Running, isso_start, args) -> None:
        self.floor = floor
        self.isso_start = isso_start
        self.args = args
        self.isso_rows = {row.key: row for row in _selected(scenarios.isso(), args)}
        self.isso: dict[str, dict] = {}
        self.isso_tried: dict[str, list[dict]] = {}
        self.isso_memory: dict[str, float] = {}

    def minimal(self, connections: int) -> dict:
        return _one(self.floor, scenarios.minimal()[0], connections, self.args)

    def isso_row(
        self, key: str, connections: int, *, round_: int = 1, rounds: int = 1
    ) -> dict | None:
        """Isso's figure for ``key``: its ``round_``-th of ``rounds`` measured if not yet (the
        median round kept); rows of ours that share an Isso row (iframe and JSON) measure it
        once."""
        wanted = f"{key} c={connections}"
        if self.isso_start is None or key not in self.isso_rows:
            return None
        tried = self.isso_tried.setdefault(wanted, [])
        if len(tried) >= round_:
            return self.isso[wanted]
        with self.isso_start() as server:
            tried.append(_one(server, self.isso_rows[key], connections, self.args))
            self.isso_memory = server.memory()
        self.isso[wanted] = report.median_round(tried)
        _log(f"isso: {wanted}: {_described(tried[-1])}{_round_note(round_, rounds)}")
        return self.isso[wanted]


@dataclass
class Served:
    """One configuration's server, ready to measure, and what was found on it."""

    name: str
    server: servers.Running
    rows: dict[str, scenarios.Scenario]
    found: dict[str, dict] = field(default_factory=dict)
    beside: dict[str, dict] = field(default_factory=dict)


def _measure(served: list[Served], references: References, with_isso: bool) -> None:
    """Every row on every configuration, the configurations one after the other within each
    row: the 10k and 1M databases are then compared on the same minutes of the machine. Each
    GET row is followed by the minimal app at the same concurrency (its "beside" figure), and
    the first configuration's row by Isso's when ``with_isso``. POST rows are measured in
    ``POST_ROUNDS`` alternating rounds, and each side keeps its median round."""
    first = served[0]
    for row_key, row in first.rows.items():
        rounds = POST_ROUNDS if row_key.startswith("POST") else 1
        for connections in CONCURRENCY:
            key = f"{row_key} c={connections}"
            tried: dict[str, list[dict]] = {config.name: [] for config in served}
            for done in range(1, rounds + 1):
                note = _round_note(done, rounds)
                for config in served:
                    tried[config.name].append(
                        _row_on(config, row_key, connections, references, note)
                    )
                if with_isso and row.isso_key:
                    references.isso_row(row.isso_key, connections, round_=done, rounds=rounds)
            for config in served:
                config.found[key] = report.median_round(tried[config.name])


def _row_on(
    config: Served, row_key: str, connections: int, references: References, note: str
) -> dict:
    """One row on one configuration, logged; a GET row is followed by the minimal app's."""
    key = f"{row_key} c={connections}"
    found = _one(config.server, config.rows[row_key], connections, references.args)
    _log(f"{config.name}: {key}: {_described(found)}{note}")
    if row_key.startswith("GET"):
        config.beside[key] = references.minimal(connections)
        _log(f"{config.name}: minimal beside {key}: {report.cell(config.beside[key])}")
    return found


def _described(found: dict) -> str:
    """A measured row for the log: its cell and the workers' CPU per request."""
    return f"{report.cell(found)} ({found['cpu_ms']} ms of worker CPU per request)"


def _round_note(done: int, rounds: int) -> str:
    return f" (round {done} of {rounds})" if rounds > 1 else ""


def _cpu_per_request(before: dict[int, float], after: dict[int, float], requests: int) -> float:
    """Workers' CPU per request over a run: unlike latency, barely moved by the machine's load."""
    used = sum(after[pid] - before[pid] for pid in before if pid in after)
    return round(used * 1000 / max(requests, 1), 2)


def _seeded(name: str, database_url: str, plan: Plan, args) -> float:
    """Seconds spent seeding ``database_url`` (0 when ``--reuse-seed`` found it ready)."""
    marker = Path(args.workdir) / f"{name.replace(' ', '-')}.seeded.json"
    wanted = {"url": database_url, "plan": list(plan.__dict__.values())}
    if args.reuse_seed and marker.exists() and json.loads(marker.read_text()) == wanted:
        _log(f"{name}: reusing the database seeded earlier ({database_url})")
        return 0.0
    _log(f"{name}: seeding {plan.comments:,} comments in {plan.threads:,} threads")
    marker.unlink(missing_ok=True)
    seeded = seed(database_url, plan, progress=True)
    marker.write_text(json.dumps(wanted))
    _log(f"{name}: seeded in {seeded['seconds']:.0f} s")
    return seeded["seconds"]


def _group(
    group: list[tuple[str, str, Plan, str | None]],
    args,
    references: References,
    *,
    with_isso: bool,
) -> dict[str, tuple[dict, dict, dict, dict]]:
    """Seed and start every configuration of the group, measure them together, and read
    each one's memory and moderation queue."""
    seconds = {name: _seeded(name, url, plan, args) for name, url, plan, _redis in group}
    with ExitStack() as stack:
        served = []
        for name, url, _plan, redis_url in group:
            if redis_url:
                # Keys name thread ids and versions, which two databases seeded alike share.
                redis.Redis.from_url(redis_url).flushdb()
            logs = Path(args.workdir) / "logs" / name.replace(" ", "-")
            server = stack.enter_context(servers.commentsvc(url, logs, redis_url))
            rows = _selected(scenarios.ours(scenarios.form_token(server.base_url)), args)
            served.append(Served(name, server, {row.key: row for row in rows}))
        _measure(served, references, with_isso)
        results = {}
        for config, (name, _url, plan, _redis) in zip(served, group, strict=True):
            queue = scenarios.queue_timing(config.server.base_url)
            _log(f"{name}: queue first page ({plan.pending:,} pending): {queue}")
            extra = {"queue": queue, "seed_seconds": round(seconds[name], 1)}
            results[name] = (config.found, config.beside, config.server.memory(), extra)
    return results


def _prepare_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def _seeded_isso(work: Path, logs: Path, args):
    """A function starting Isso on a database seeded here once, or None (said why)."""
    why_not = servers.isso_available()
    if args.no_isso or why_not:
        _log(f"Isso skipped: {why_not or '--no-isso'}")
        return None
    isso_dir = work / "isso"
    for path in isso_dir.glob("comments.db*"):
        path.unlink()
    with servers.isso(isso_dir, logs) as server:
        seed_isso(server.base_url)
    return lambda: servers.isso(isso_dir, logs)


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    scale = Plan(100_000, 1_000, 10_000) if args.quick else Plan(1_000_000, 10_000, 100_000)
    base = Plan(10_000, 100, 1_000)
    results: dict[str, dict] = {}
    memory: dict[str, dict] = {}
    extra: dict[str, dict] = {}
    configs: list[tuple[str, str, Plan, str | None]] = [
        ("SQLite 10k", f"sqlite:///{work / 'bench-10k.sqlite3'}", base, None)
    ]
    if not args.no_scale:
        configs.append(
            (
                f"SQLite {scale.comments // 1000}k",
                f"sqlite:///{work / 'bench-scale.sqlite3'}",
                scale,
                None,
            )
        )
    if not args.no_postgres:
        _prepare_postgres(args.postgres)
        configs.append(("PG+Redis 10k", args.postgres, base, args.redis))
        if args.pg_scale:
            # A database of its own, so that --reuse-seed never mistakes one size for the other.
            scale_url = f"{args.postgres}_scale"
            _prepare_postgres(scale_url)
            configs.append((f"PG+Redis {scale.comments // 1000}k", scale_url, scale, args.redis))
    logs = work / "logs"
    isso_start = _seeded_isso(work, logs, args)
    beside: dict[str, dict] = {}
    with servers.minimal(logs) as floor:
        references = References(floor, isso_start, args)
        # The SQLite databases side by side (the scale verdict compares them), then each
        # PostgreSQL one: they share the Redis database, emptied before each.
        sqlite = [config for config in configs if config[3] is None]
        groups = [sqlite, *([config] for config in configs if config[3] is not None)]
        for index, group in enumerate(groups):
            for name, found in _group(group, args, references, with_isso=index == 0).items():
                results[name], beside[name], memory[name], extra[name] = found
        memory["minimal"] = floor.memory()
    if references.isso:
        results["isso"], memory["isso"] = references.isso, references.isso_memory
    return {
        "configs": [name for name, *_ in configs],
        "results": results,
        "beside": beside,
        "memory": memory,
        "extra": extra,
        "seconds": args.seconds,
        "load_after": os.getloadavg(),
    }


def render(run_data: dict[str, Any]) -> str:
    configs = run_data["configs"]
    isso_keys = {row.key: row.isso_key for row in scenarios.ours("-") if row.isso_key is not None}
    scale = next((c for c in configs if c.startswith("SQLite") and c != configs[0]), None)
    pg = next((c for c in configs if c.startswith("PG")), None)
    parts = [
        f"## commentsvc benchmark ({run_data['seconds']:g} s per run, 4 workers, "
        f"load average after: {' / '.join(f'{x:.1f}' for x in run_data['load_after'])})",
        "",
        "Cells: requests per second · p50 · p99 (errors if any). Ratios use the first column"
        f" and the reference measured right after each of its rows{report.rounds_note(run_data)}.",
        "",
        report.table(run_data, isso_keys),
        "",
        "### Memory",
        "",
        report.memory_lines(run_data["memory"]),
        "",
        "### Moderation queue, first page (sequential requests)",
        "",
    ]
    for name, extra in run_data["extra"].items():
        parts.append(f"- {name}: {extra['queue']} (seeded in {extra['seed_seconds']} s)")
    parts += [
        "",
        "### Targets (issue 6)",
        "",
        *report.targets(run_data, configs[0], scale, pg),
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    if args.render:
        print(render(json.loads(Path(args.render).read_text())))
        return
    _log("starting; other processes share this machine, see the load averages")
    data = run(args)
    text = render(data)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"run-{stamp}.json").write_text(json.dumps(data, indent=2))
    (RESULTS / "latest.md").write_text(text + "\n")
    print(text)
    print("\n## CPU per request, in one process (bench.request_cpu)\n", flush=True)
    subprocess.run([sys.executable, "-m", "bench.request_cpu"], check=False)
    if not args.no_spam and (Path(__file__).parent / "spam_speed.py").exists():
        print("\n## Spam model (bench.spam_speed)\n", flush=True)
        subprocess.run([sys.executable, "-m", "bench.spam_speed", "--no-train"], check=False)


if __name__ == "__main__":
    main()
