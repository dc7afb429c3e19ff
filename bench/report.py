"""The benchmark table, the ratios to the references, and which targets are met."""

from __future__ import annotations

from typing import Any

Result = dict[str, Any]  # {"rps", "p50_ms", "p99_ms", "errors", "requests"}
Results = dict[str, dict[str, Result]]  # config -> "scenario c=N" -> figures


def cell(figures: Result | None) -> str:
    if not figures:
        return "—"
    text = f"{figures['rps']:,.0f}/s · {figures['p50_ms']:.1f} · {figures['p99_ms']:.1f} ms"
    return text + (f" · **{figures['errors']} err**" if figures["errors"] else "")


def median_round(rounds: list[Result]) -> Result:
    """The round with the median requests per second (the lower one of an even count), with
    every round's figure under ``rounds`` when there were several."""
    ordered = sorted(rounds, key=lambda figures: figures["rps"])
    kept = dict(ordered[(len(ordered) - 1) // 2])
    if len(rounds) > 1:
        kept["rounds"] = [figures["rps"] for figures in rounds]
    return kept


def rounds_note(run: dict[str, Any]) -> str:
    """How the POST rows were measured, for runs saved since they are measured in rounds."""
    counts = [
        len(figures["rounds"])
        for rows in run["results"].values()
        for figures in rows.values()
        if "rounds" in figures
    ]
    if not counts:
        return ""
    return f"; the POST rows are the median of {max(counts)} rounds, alternating with Isso's"


def ratio(ours: Result | None, reference: Result | None) -> str:
    if not ours or not reference or not reference["rps"]:
        return "—"
    return f"{ours['rps'] / reference['rps']:.2f}×"


def floor_of(run: dict[str, Any], config: str, row: str) -> Result | None:
    """The minimal app's figure measured right after ``row`` of ``config`` (the run's single
    minimal figure for runs made before references were interleaved)."""
    beside = run.get("beside", {}).get(config, {}).get(row)
    if beside:
        return beside
    return run["results"].get("minimal", {}).get(f"GET 2 KB JSON {row.rsplit(' ', 1)[1]}")


def share(run: dict[str, Any], config: str, row: str) -> float | None:
    """Requests per second of ``row`` as a share of the minimal app's beside it."""
    ours = run["results"].get(config, {}).get(row)
    floor = floor_of(run, config, row)
    if not ours or not floor or not floor["rps"]:
        return None
    return ours["rps"] / floor["rps"]


def table(run: dict[str, Any], isso_keys: dict[str, str]) -> str:
    """Rows: scenario × concurrency; columns: each configuration, then the first one's ratios
    to the references measured beside it."""
    results, configs = run["results"], run["configs"]
    first = configs[0]
    header = [
        "scenario",
        *configs,
        f"{first} / minimal",
        "minimal beside",
        f"{first} / Isso",
        "Isso",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = sorted({row for config in configs for row in results.get(config, {})}, key=_order)
    isso = results.get("isso", {})
    for row in rows:
        concurrency = row.rsplit(" ", 1)[1]
        isso_row = isso.get(f"{isso_keys.get(row.rsplit(' ', 1)[0], '')} {concurrency}")
        ours = results[first].get(row)
        is_get = row.startswith("GET")
        floor = floor_of(run, first, row) if is_get else None
        ratio_text = f"{share(run, first, row):.2f}×" if floor and floor["rps"] else "—"
        cells = [cell(results.get(config, {}).get(row)) for config in configs]
        lines.append(
            "| "
            + " | ".join(
                [row, *cells, ratio_text, cell(floor), ratio(ours, isso_row), cell(isso_row)]
            )
            + " |"
        )
    return "\n".join(lines)


def _order(row: str) -> tuple:
    name, concurrency = row.rsplit(" ", 1)
    return (name.split(" t")[0], _size(name), int(concurrency.removeprefix("c=")))


def _size(name: str) -> int:
    tail = name.rsplit(" t", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def memory_lines(memory: dict[str, dict[str, float]]) -> str:
    lines = ["| server | RSS per worker | PSS per worker |", "|---|---|---|"]
    for name, figures in memory.items():
        lines.append(f"| {name} | {figures['rss_mb']:.0f} MB | {figures['pss_mb']:.0f} MB |")
    return "\n".join(lines)


def _get(results: Results, config: str, row: str) -> Result | None:
    return results.get(config, {}).get(row)


def targets(run: dict[str, Any], base: str, scale: str | None, pg: str | None) -> list[str]:
    """Each target of the issue, met or not, with the figures that decide it."""
    results = run["results"]
    verdicts: list[str] = []
    isso100 = _get(results, "isso", "GET t100 c=64")

    def check(label: str, ok: bool | None, detail: str) -> None:
        mark = "n/a" if ok is None else ("MET" if ok else "NOT MET")
        verdicts.append(f"- [{mark}] {label}: {detail}")

    for kind in ("iframe", "JSON"):
        row = f"GET {kind} t100 c=64"
        ours = _get(results, base, row)
        part = share(run, base, row)
        if part is not None:
            check(f"{row} ≥ 0.5 × minimal", part >= 0.5, f"{part:.2f}×")
        if ours:
            check(f"{row} p99 ≤ 50 ms", ours["p99_ms"] <= 50, f"{ours['p99_ms']} ms")
        if ours and isso100:
            if isso100["rps"]:
                times = ours["rps"] / isso100["rps"]
                check(f"{row} ≥ 100 × Isso", times >= 100, f"{times:.0f}×")
            else:
                check(f"{row} ≥ 100 × Isso", None, "Isso completed no request")
        big = share(run, base, f"GET {kind} t1000 c=64")
        if part and big is not None:
            # As shares of the minimal app beside each, so that load drift between the two
            # rows does not count; being faster is never a miss.
            change = big / part - 1
            check(
                f"GET {kind} t1000 c=64 within 20% of t100",
                change >= -0.2,
                f"{change:+.0%} (share of minimal {big:.2f}× against {part:.2f}×)",
            )
    post = _get(results, base, "POST comment c=16")
    isso_post = _get(results, "isso", "POST c=16")
    if post:
        check("POST c=16 p99 ≤ 100 ms", post["p99_ms"] <= 100, f"{post['p99_ms']} ms")
        check("POST c=16 zero errors", post["errors"] == 0, f"{post['errors']} errors")
    if post and isso_post:
        if isso_post["rps"]:
            times = post["rps"] / isso_post["rps"]
            check(
                "POST c=16 ≥ 1.5 × Isso", times >= 1.5, f"{times:.2f}×{_cpu_note(post, isso_post)}"
            )
        else:
            check("POST c=16 ≥ 1.5 × Isso", None, "Isso completed no request")
    if scale:
        worst = _worst_change(run, base, scale)
        if worst:
            row, change = worst
            check(
                f"{scale} within 20% of {base} (target GET rows, as shares of minimal)",
                change >= -0.2,
                f"worst {row}: {change:+.0%}",
            )
    big_post = _get(results, scale, "POST comment c=16") if scale else None
    if post and big_post and post["rps"]:
        change = big_post["rps"] / post["rps"] - 1
        check(f"{scale} POST c=16 within 20% of {base}", change >= -0.2, f"{change:+.0%} req/s")
    if pg:
        verdicts.append(f"- [info] PostgreSQL + Redis reported beside ({pg})")
    return verdicts


def _cpu_note(ours: dict, isso: dict) -> str:
    """Both sides' workers' CPU per post: near the machine's limit, it sets the ratio."""
    if not ours.get("cpu_ms") or not isso.get("cpu_ms"):
        return ""  # runs saved before Isso's CPU was kept
    return (
        f" (workers' CPU per post: {ours['cpu_ms']} ms, Isso's {isso['cpu_ms']} ms:"
        f" {ours['cpu_ms'] / isso['cpu_ms']:.2f}×)"
    )


# The GET rows the targets name ("every figure above" at scale); the others (threads
# of 10, counts) are printed at both sizes but judge nothing.
TARGET_GET_ROWS = (
    "GET iframe t100 c=64",
    "GET JSON t100 c=64",
    "GET iframe t1000 c=64",
    "GET JSON t1000 c=64",
)


def _worst_change(run: dict[str, Any], base: str, scale: str) -> tuple[str, float] | None:
    """The target GET row whose share of the minimal app fell most from ``base`` to ``scale``."""
    worst: tuple[str, float] | None = None
    for row in run["results"].get(base, {}):
        before, after = share(run, base, row), share(run, scale, row)
        if row not in TARGET_GET_ROWS or not before or after is None:
            continue
        change = after / before - 1
        if worst is None or change < worst[1]:
            worst = (row, change)
    return worst
