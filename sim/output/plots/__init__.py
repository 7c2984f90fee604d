"""PNG plots of a run, in one consistent style (:mod:`sim.output.plots.style`), readable when
printed.

:func:`plot_run` writes every plot of one run. Plot functions take tidy tables (see
:mod:`sim.outcomes.results`) or arrays and a file path, draw with matplotlib's non-interactive
backend and write a PNG; with several members the line is the median and the band the
5–95% range. Modules: ``coverage`` (coverage, ranking, ledger, targets), ``equity``
(Gini, Lorenz, deaths by group), ``worldmap`` (choropleth), ``compare`` (scenarios side
by side); each mechanism adds its own module (``diplomacy``, ``epidemic``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sim.output.plots.coverage import coverage_by_group, dose_ledger, doses_per_100
from sim.output.plots.style import GROUP_COLORS, GROUP_LABELS, STYLE

if TYPE_CHECKING:
    from sim.outcomes.results import Results

__all__ = ["GROUP_COLORS", "GROUP_LABELS", "STYLE", "coverage_by_group", "dose_ledger",
           "doses_per_100", "plot_run"]


def plot_run(results: Results, out: Path, workers: int | None = None) -> list[Path]:
    """Write every plot of one run into ``out``; return the paths written.

    Each mechanism adds one call to the list below from its own module; a function may
    return None when the run has nothing to show (e.g. no epidemic). The tables are built
    here first, then the plots are drawn in worker processes
    (:func:`sim.output.workers.map_calls`, ``workers`` of them, default one per core).
    """
    from functools import partial as call

    from sim.output.plots import coverage, diplomacy, epidemic, equity, strategies, worldmap
    from sim.output.plots.run import equity_inputs
    from sim.output.workers import map_calls

    name = results.scenario.name
    eq = equity_inputs(results)
    groups, countries, ledger = results.groups, results.countries, results.ledger
    results.strategies, results.donations  # noqa: B018 - built once, here, not per worker
    calls = [
        call(coverage.coverage_by_group, groups, out / "coverage_by_group.png", name),
        call(coverage.doses_per_100, countries, out / "doses_per_100.png", name),
        call(coverage.country_ranking, countries, out / "coverage_ranking.png", name,
             "coverage_first"),
        call(coverage.dose_ledger, ledger, out / "dose_ledger.png", name),
        call(coverage.target_attainment, eq.attainment, out / "target_attainment.png", name),
        call(equity.gini_over_time, eq.gini, out / "gini_over_time.png", name),
        call(equity.lorenz, eq.coverage_end, eq.population, out / "lorenz.png", name, eq.end),
        call(worldmap.coverage_map, eq.coverage_map, out / "coverage_map.png", name, eq.end),
        call(equity.deaths_by_group, eq.per_member, out / "deaths_by_group.png", name),
        call(strategies.strategy_counts, results.strategies, out / "strategies.png", name),
        call(diplomacy.plot_diplomacy, results, out),
        call(epidemic.deaths_over_time, groups, out / "deaths_over_time.png", name),
    ]
    paths: list[Path] = []
    for drawn in map_calls(calls, workers):
        paths.extend(drawn if isinstance(drawn, list) else [drawn])
    return [p for p in paths if p is not None]
