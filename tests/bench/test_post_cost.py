"""bench.post_cost's comparison with Isso: the same rounds, read the same way on both sides."""

from bench.post_cost import against_isso


def test_the_in_process_comparison_with_isso_takes_best_rounds() -> None:
    line = against_isso([6.0, 5.0, 9.0], [4.0, 10.0])
    assert "best 4.00 ms, median 7.00 ms" in line
    assert line.endswith("(best rounds): 1.25×")
