"""wrk runs: one scenario at one concurrency, with exact percentiles."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
THREADS = 2  # the machine's cores; wrk shares them with the server under test


@dataclass
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx_3xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "errors": self.errors,
            "requests": self.requests,
        }


def _script(scenario: str | None) -> Path:
    """The scenario's Lua (if any) followed by the reporting ``done``."""
    parts = [(LUA / f"{scenario}.lua").read_text()] if scenario else []
    parts.append((LUA / "report.lua").read_text())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write("\n".join(parts))
    return Path(handle.name)


def run(
    url: str,
    *,
    connections: int,
    seconds: float,
    scenario: str | None = None,
    env: dict[str, str] | None = None,
) -> Figures:
    """Run wrk against ``url``; socket errors and non-2xx/3xx answers both count as errors."""
    script = _script(scenario)
    command = [
        "wrk",
        f"-t{min(THREADS, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
    ]
    command += ["--timeout", "10s", "-s", str(script), url]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=seconds + 60,
            check=True,
        )
    finally:
        script.unlink(missing_ok=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return Figures(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        errors=socket_errors + raw["status"],
        non_2xx_3xx=raw["status"],
    )
