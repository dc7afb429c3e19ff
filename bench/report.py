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


def ratio(ours: Result | None, reference: Result | None) -> str:
    if not ours or not reference or not reference["rps"]:
        return "—"
    return f"{ours['rps'] / reference['rps']:.2f}×"


def table(results: Results, configs: list[str], isso_keys: dict[str, str]) -> str:
    """Rows: scenario × concurrency; columns: each configuration, then ratios of the first."""
    first = configs[0]
    header = ["scenario", *configs, f"{first} / minimal", f"{first} / Isso", "Isso"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = sorted({row for config in configs for row in results.get(config, {})}, key=_order)
    minimal = results.get("minimal", {})
    isso = results.get("isso", {})
    for row in rows:
        concurrency = row.rsplit(" ", 1)[1]
        floor = minimal.get(f"GET 2 KB JSON {concurrency}")
        isso_row = isso.get(f"{isso_keys.get(row.rsplit(' ', 1)[0], '')} {concurrency}")
        ours = results[first].get(row)
        cells = [cell(results.get(config, {}).get(row)) for config in configs]
        is_get = row.startswith("GET")
        lines.append(
            "| "
            + " | ".join(
                [
                    row,
                    *cells,
                    ratio(ours, floor) if is_get else "—",
                    ratio(ours, isso_row),
                    cell(isso_row),
                ]
            )
            + " |"
        )
    for name, reference in (("minimal Flask 2 KB JSON", minimal), ("Isso 0.14", isso)):
        for row in sorted(reference, key=_order):
            lines.append(f"| {name}: {row} | {cell(reference[row])} |" + " |" * (len(header) - 2))
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


def targets(results: Results, base: str, scale: str | None, pg: str | None) -> list[str]:
    """Each target of the issue, met or not, with the figures that decide it."""
    verdicts: list[str] = []
    floor = _get(results, "minimal", "GET 2 KB JSON c=64")
    isso100 = _get(results, "isso", "GET t100 c=64")

    def check(label: str, ok: bool | None, detail: str) -> None:
        mark = "n/a" if ok is None else ("MET" if ok else "NOT MET")
        verdicts.append(f"- [{mark}] {label}: {detail}")

    for kind in ("iframe", "JSON"):
        ours = _get(results, base, f"GET {kind} t100 c=64")
        if ours and floor:
            share = ours["rps"] / floor["rps"]
            check(f"GET {kind} t100 c=64 ≥ 0.5 × minimal", share >= 0.5, f"{share:.2f}×")
        if ours:
            check(f"GET {kind} t100 c=64 p99 ≤ 50 ms", ours["p99_ms"] <= 50, f"{ours['p99_ms']} ms")
        if ours and isso100:
            if isso100["rps"]:
                times = ours["rps"] / isso100["rps"]
                check(f"GET {kind} t100 c=64 ≥ 100 × Isso", times >= 100, f"{times:.0f}×")
            else:
                check(f"GET {kind} t100 c=64 ≥ 100 × Isso", None, "Isso completed no request")
        big = _get(results, base, f"GET {kind} t1000 c=64")
        if ours and big:
            drop = 1 - big["rps"] / ours["rps"]
            check(
                f"GET {kind} t1000 within 20% of t100",
                abs(drop) <= 0.2,
                f"{-drop:+.0%} req/s against t100",
            )
    post = _get(results, base, "POST comment c=16")
    isso_post = _get(results, "isso", "POST c=16")
    if post:
        check("POST c=16 p99 ≤ 100 ms", post["p99_ms"] <= 100, f"{post['p99_ms']} ms")
        check("POST c=16 zero errors", post["errors"] == 0, f"{post['errors']} errors")
    if post and isso_post:
        if isso_post["rps"]:
            times = post["rps"] / isso_post["rps"]
            check("POST c=16 ≥ 1.5 × Isso", times >= 1.5, f"{times:.2f}×")
        else:
            check("POST c=16 ≥ 1.5 × Isso", None, "Isso completed no request")
    if scale:
        worst = _worst_change(results, base, scale)
        if worst:
            row, change = worst
            check(f"{scale} within 20% of {base}", change <= 0.2, f"worst {row}: {change:+.0%}")
    if pg:
        verdicts.append(f"- [info] PostgreSQL + Redis reported beside ({pg})")
    return verdicts


def _worst_change(results: Results, base: str, scale: str) -> tuple[str, float] | None:
    worst: tuple[str, float] | None = None
    for row, figures in results.get(base, {}).items():
        other = results.get(scale, {}).get(row)
        if not other or not figures["rps"]:
            continue
        change = 1 - other["rps"] / figures["rps"]
        if worst is None or change > worst[1]:
            worst = (row, change)
    return worst
