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


def plot_run(results: Results, out: Path) -> list[Path]:
    """Write every plot of one run into ``out``; return the paths written.

    Each mechanism adds one line to the list below calling its own module; a function
    may return None when the run has nothing to show (e.g. no epidemic).
    """
    from sim.output.plots import (
        coverage,
        diplomacy,
        epidemic,
        equity,
        history,
        strategies,
        worldmap,
    )
    from sim.output.plots.run import equity_inputs

    name = results.scenario.name
    eq = equity_inputs(results)
    paths = [
        coverage.coverage_by_group(results.groups, out / "coverage_by_group.png", name),
        coverage.doses_per_100(results.countries, out / "doses_per_100.png", name),
        coverage.country_ranking(results.countries, out / "coverage_ranking.png", name,
                                 "coverage_first"),
        coverage.dose_ledger(results.ledger, out / "dose_ledger.png", name),
        coverage.target_attainment(eq.attainment, out / "target_attainment.png", name),
        equity.gini_over_time(eq.gini, out / "gini_over_time.png", name),
        equity.lorenz(eq.coverage_end, eq.population, out / "lorenz.png", name, eq.end),
        worldmap.coverage_map(eq.coverage_map, out / "coverage_map.png", name, eq.end),
        equity.deaths_by_group(eq.per_member, out / "deaths_by_group.png", name),
        strategies.strategy_counts(results.strategies, out / "strategies.png", name),
        *diplomacy.plot_diplomacy(results, out),
        epidemic.deaths_over_time(results.groups, out / "deaths_over_time.png", name),
        history.history_check(results, out / "history_check.png", name),
    ]
    return [p for p in paths if p is not None]
