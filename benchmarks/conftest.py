"""Benchmarks share one table of medians and print vaxsim's ratios to the anchors measured
in the same session (see ``benchmarks/test_anchors_bench.py``).
"""

import pytest

#: Figures measured in this session: name -> {"min": s, "median": s, ...}.
FIGURES: dict[str, dict[str, float]] = {}


@pytest.fixture
def record():
    """``record(name, benchmark, **extra)`` keeps a benchmark's min and median (seconds)."""

    def keep(name, benchmark, **extra):
        stats = benchmark.stats.stats
        FIGURES[name] = {"min": stats.min, "median": stats.median, **extra}
        benchmark.extra_info.update(extra)

    return keep


def pytest_terminal_summary(terminalreporter):
    import os

    from benchmarks.anchors.report import ratio_lines

    lines = ratio_lines(FIGURES)
    if lines:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        terminalreporter.write_sep("=", "vaxsim against the anchors (same session; "
                                        f"load average {load}: the cores are shared)")
        for line in lines:
            terminalreporter.write_line(line)
