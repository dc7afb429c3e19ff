"""Spam model speed: scoring (in-process), model load, training; hostile texts.

Run: ``python -m bench.spam_speed`` (``--no-train`` skips the training timing). Targets
(issue 3): scoring median < 1 ms and p99 < 5 ms, load < 1 s, training < 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from commentsvc.spam.base import CommentText
from commentsvc.spam.data import FRENCH_FILE, bundled_files, load_csv, load_csvs
from commentsvc.spam.store import current_version, load, load_current

MODEL_DIR = Path(__file__).resolve().parent.parent / "ml_models"

HOSTILE = {
    "empty": CommentText(""),
    "100 KB text": CommentText("spam and eggs " * 7300),
    "100 KB one word": CommentText("x" * 100_000),
    "binary-looking": CommentText("".join(chr(i) for i in range(0, 3000)) * 30),
    "emoji only": CommentText("😂🔥💯" * 2000),
    "RTL (Arabic)": CommentText("مرحبا بكم في موقعنا، اشترك الآن في القناة " * 20),
    "zero-width": CommentText("s\u200bu\u200cb\u200ds\ufeffc\u2060ribe " * 200),
    "Chinese": CommentText("这首歌真好听，我每天都听。" * 50),
    "3000 links": CommentText("http://a.com " * 3000, website="http://b.com"),
}


def _timings_ms(function: Callable[[], object], repeat: int) -> list[float]:
    """Wall-clock times; ``_cpu_ms`` collects the process CPU time of the same calls."""
    times = []
    for _ in range(repeat):
        started, cpu = time.perf_counter_ns(), time.process_time_ns()
        function()
        _CPU.append((time.process_time_ns() - cpu) / 1e6)
        times.append((time.perf_counter_ns() - started) / 1e6)
    return times


# CPU time of the calls timed since the last ``_cpu_ms()``: on a shared, loaded machine the
# wall clock also counts the time other processes held the cores.
_CPU: list[float] = []


def _cpu_ms() -> list[float]:
    values = list(_CPU)
    _CPU.clear()
    return values


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 100 else max(values)


def _row(name: str, value: str, target: str = "", note: str = "") -> None:
    print(f"| {name:40} | {value:>20} | {target:>10} | {note}")


def bench_load(version: str) -> None:
    loads = _timings_ms(lambda: load(MODEL_DIR / version), 5)
    cpu = _cpu_ms()
    _row(
        "model load, median of 5 (wall/CPU)",
        f"{statistics.median(loads):.0f}/{statistics.median(cpu):.0f} ms",
        "< 1000 ms",
    )
    size = (MODEL_DIR / version / "model.skops").stat().st_size
    _row("model file", f"{size / 1e6:.2f} MB", "< 5 MB")


def _stats(wall: list[float], cpu: list[float], digits: int = 3) -> tuple[str, str]:
    median = f"{statistics.median(wall):.{digits}f}/{statistics.median(cpu):.{digits}f} ms"
    p99 = f"{_p99(wall):.{digits}f}/{_p99(cpu):.{digits}f} ms"
    return median, p99


def bench_scoring(model: Any) -> None:
    texts = load_csvs(bundled_files()).texts + load_csv(FRENCH_FILE).texts
    _cpu_ms()
    cold = [_timings_ms(lambda t=text: model.score(t), 1)[0] for text in texts]
    median, p99 = _stats(cold, _cpu_ms())
    note = f"{len(texts)} comments, each scored once (the word n-gram cache filling)"
    _row("score, first pass: median (wall/CPU)", median, "< 1 ms", note)
    _row("score, first pass: p99 (wall/CPU)", p99, "< 5 ms")
    warm = [t for text in texts for t in _timings_ms(lambda t=text: model.score(t), 3)]
    median, p99 = _stats(warm, _cpu_ms())
    _row("score, steady: median (wall/CPU)", median, "< 1 ms")
    _row("score, steady: p99 (wall/CPU)", p99, "< 5 ms")
    sample = texts[::20]
    pipeline = [
        t for text in sample for t in _timings_ms(lambda t=text: model.probabilities([t]), 2)
    ]
    _cpu_ms()
    ratio = statistics.median(pipeline) / statistics.median(warm)
    _row(
        "sklearn predict_proba, 1 comment (wall)",
        f"{statistics.median(pipeline):.3f} ms",
        "",
        f"median; the fast path is {ratio:.1f}× faster for the same probability",
    )


def bench_hostile(model: Any) -> None:
    _cpu_ms()
    for name, text in HOSTILE.items():
        times = _timings_ms(lambda t=text: model.score(t), 20)
        cpu = _cpu_ms()
        _row(
            f"hostile: {name}",
            f"{statistics.median(times):.2f}/{statistics.median(cpu):.2f} ms",
            "< 5 ms",
            f"median wall/CPU; worst {max(times):.2f}/{max(cpu):.2f} ms",
        )


def bench_training() -> None:
    from commentsvc.spam.training import train

    dataset = load_csvs(bundled_files())
    started, cpu = time.perf_counter(), time.process_time()
    train(dataset, seed=0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    _row(
        "training, 6 configurations (bundled)",
        f"{seconds:.1f} s",
        "< 30 s",
        f"wall clock; {cpu:.1f} s CPU in this process (single-threaded fits)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-train", action="store_true", help="skip the training timing")
    args = parser.parse_args()
    version = str(current_version(MODEL_DIR))
    print(f"spam model {version} from {MODEL_DIR}; load average {os.getloadavg()[0]:.1f}\n")
    _row("measure", "value", "target", "note")
    print(f"|{'-' * 42}|{'-' * 22}|{'-' * 12}|------")
    bench_load(version)
    model = load_current(MODEL_DIR)
    bench_scoring(model)
    bench_hostile(model)
    if not args.no_train:
        bench_training()


if __name__ == "__main__":
    main()
