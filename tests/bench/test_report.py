"""The benchmark's verdicts: ratios read the reference measured beside each row."""

from bench import report


def _figures(rps: float, p99: float = 40.0) -> dict:
    return {"rps": rps, "p50_ms": 10.0, "p99_ms": p99, "errors": 0, "requests": int(rps * 10)}


def _run(**rows: dict) -> dict:
    return {"configs": ["SQLite 10k", "SQLite 1000k"], **rows}


def test_a_share_uses_the_minimal_app_measured_beside_the_row() -> None:
    run = _run(
        results={
            "SQLite 10k": {"GET JSON t100 c=64": _figures(900)},
            "minimal": {"GET 2 KB JSON c=64": _figures(3000)},
        },
        beside={"SQLite 10k": {"GET JSON t100 c=64": _figures(1500)}},
    )
    assert report.share(run, "SQLite 10k", "GET JSON t100 c=64") == 0.6
    # A run saved before the references were interleaved falls back to its one figure.
    del run["beside"]
    assert report.share(run, "SQLite 10k", "GET JSON t100 c=64") == 0.3


def _verdicts(base_rows: dict, scale_rows: dict | None = None) -> list[str]:
    results = {"SQLite 10k": {row: ours for row, (ours, _) in base_rows.items()}}
    beside = {"SQLite 10k": {row: floor for row, (_, floor) in base_rows.items()}}
    if scale_rows is not None:
        results["SQLite 1000k"] = {row: ours for row, (ours, _) in scale_rows.items()}
        beside["SQLite 1000k"] = {row: floor for row, (_, floor) in scale_rows.items()}
    return report.targets(
        _run(results=results, beside=beside),
        "SQLite 10k",
        "SQLite 1000k" if scale_rows is not None else None,
        None,
    )


def _line(verdicts: list[str], label: str) -> str:
    (line,) = [v for v in verdicts if label in v]
    return line


def test_the_long_thread_may_be_faster_but_not_more_than_20_percent_slower() -> None:
    t100 = (_figures(1000), _figures(2000))
    faster = _verdicts(
        {"GET JSON t100 c=64": t100, "GET JSON t1000 c=64": (_figures(1500), _figures(2000))}
    )
    slower = _verdicts(
        {"GET JSON t100 c=64": t100, "GET JSON t1000 c=64": (_figures(700), _figures(2000))}
    )
    assert "[MET]" in _line(faster, "JSON t1000 c=64 within 20%")
    assert "[NOT MET]" in _line(slower, "JSON t1000 c=64 within 20%")
    assert "[MET]" in _line(faster, "JSON t100 c=64 ≥ 0.5 × minimal")
    assert "[MET]" in _line(faster, "JSON t100 c=64 p99 ≤ 50 ms")


def test_scale_compares_shares_so_a_busier_machine_is_not_counted() -> None:
    base = {"GET JSON t100 c=64": (_figures(1000), _figures(2000))}
    # Half the requests per second at scale, but the minimal app beside it halved too.
    busier = {"GET JSON t100 c=64": (_figures(500), _figures(1000))}
    slower = {"GET JSON t100 c=64": (_figures(500), _figures(2000))}
    assert "[MET]" in _line(_verdicts(base, busier), "SQLite 1000k within 20%")
    assert "[NOT MET]" in _line(_verdicts(base, slower), "SQLite 1000k within 20%")


def test_scale_judges_the_target_rows_only() -> None:
    fine = (_figures(1000), _figures(2000))
    base = {"GET JSON t100 c=64": fine, "GET counts 50 c=16": fine}
    # Counts are printed at both sizes, but no target names them.
    counts_fell = {
        "GET JSON t100 c=64": fine,
        "GET counts 50 c=16": (_figures(300), _figures(2000)),
    }
    target_fell = {
        "GET JSON t100 c=64": (_figures(700), _figures(2000)),
        "GET counts 50 c=16": fine,
    }
    assert "[MET]" in _line(_verdicts(base, counts_fell), "SQLite 1000k within 20%")
    assert "[NOT MET]" in _line(_verdicts(base, target_fell), "SQLite 1000k within 20%")


def test_a_row_measured_in_rounds_keeps_its_median_round() -> None:
    rounds = [_figures(420, p99=90), _figures(300, p99=140), _figures(380, p99=100)]
    kept = report.median_round(rounds)
    # The whole round is kept (its own p99), not a mix of figures from different rounds.
    assert (kept["rps"], kept["p99_ms"]) == (380, 100)
    assert kept["rounds"] == [420, 300, 380]
    assert report.median_round(rounds[:2])["rps"] == 300
    assert "rounds" not in report.median_round(rounds[:1])


def test_the_table_says_when_rows_were_measured_in_rounds() -> None:
    single = {"results": {"SQLite 10k": {"POST comment c=16": _figures(300)}}}
    assert report.rounds_note(single) == ""
    rounds = [_figures(300), _figures(320), _figures(310)]
    measured = {"results": {"SQLite 10k": {"POST comment c=16": report.median_round(rounds)}}}
    assert "median of 3 rounds" in report.rounds_note(measured)


def test_the_post_verdict_gives_both_sides_cpu_per_post() -> None:
    ours = {**_figures(300), "cpu_ms": 6.0}
    isso = {**_figures(200), "cpu_ms": 8.0}
    run = _run(results={"SQLite 10k": {"POST comment c=16": ours}, "isso": {"POST c=16": isso}})
    line = _line(report.targets(run, "SQLite 10k", None, None), "1.5 × Isso")
    assert "[MET]" in line and "1.50×" in line
    assert "CPU per post: 6.0 ms, Isso's 8.0 ms: 0.75×" in line
    # A run saved before Isso's CPU was kept renders as it was.
    del isso["cpu_ms"]
    line = _line(report.targets(run, "SQLite 10k", None, None), "1.5 × Isso")
    assert line.endswith("1.50×")
