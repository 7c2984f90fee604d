"""Comparisons of scenarios run with the same seed and replicates (:func:`sim.api.compare`):
their metrics with 5–95% bands, plotted side by side, and a comparison report.

Output folder: ``comparison.csv`` (scenario × metric: median, p05, p95, replicates),
``plots/compare_*.png``, ``report.html`` and one full results folder per scenario.

Examples
--------
>>> from sim import load_scenario
>>> from sim.api import compare
>>> cmp = compare([load_scenario("scenarios/baseline.yaml"),
...                load_scenario("scenarios/nationalism.yaml")], "results/cmp")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.outcomes.metrics import country_panel, member_metrics
from sim.outcomes.results import Results
from sim.output.plots import compare as cplots
from sim.output.report import comparison_report, write_atomic
from sim.scenario.schema import Scenario

#: Metrics in the printed table and the bar chart: (key, label, unit), unit one of
#: :data:`UNITS`. Keys a run does not have (no epidemic, no donations, target after the
#: end) are skipped.
KEY_METRICS = (
    ("coverage_final.World", "Coverage ≥1 dose, World", "share"),
    ("coverage_final.HIC", "Coverage ≥1 dose, HIC", "share"),
    ("coverage_final.LIC", "Coverage ≥1 dose, LIC", "share"),
    ("gini_coverage", "Gini, population-weighted", "index"),
    ("gini_coverage_unweighted", "Gini, countries unweighted", "index"),
    ("concentration_index", "Concentration index (GDP pc)", "index"),
    ("hic_lic_ratio", "HIC / LIC coverage ratio", "ratio"),
    ("targets.0.countries_met", "Countries meeting target 1", "countries"),
    ("targets.1.countries_met", "Countries meeting target 2", "countries"),
    ("doses_expired", "Doses expired", "doses"),
    ("deaths_per_million.World", "Deaths per million, World", "per_million"),
    ("deaths_averted_per_million.World", "Deaths averted per million", "per_million"),
    ("donated_share_of_supply.LIC", "Donated share of LIC supply", "share"),
)
#: unit -> (factor applied before display, axis label, number format)
UNITS = {
    "share": (100.0, "% of population", "{:.1f}%"),
    "index": (1.0, "index", "{:.3f}"),
    "ratio": (1.0, "ratio (×)", "{:.1f}×"),
    "countries": (1.0, "countries", "{:.0f}"),
    "doses": (1e-9, "billion doses", "{:.2f} bn"),
    "per_million": (1.0, "per million people", "{:.0f}"),
}


@dataclass
class Comparison:
    """A finished comparison.

    Attributes
    ----------
    names : unique scenario names, in the order given
    results : one Results per scenario
    table : scenario, metric, median, p05, p95, replicates (every metric)
    folder : where it was written
    """

    names: list[str]
    results: list[Results]
    table: pd.DataFrame
    folder: Path


def unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, with ``-2``, ``-3`` … appended to repeats."""
    seen: dict[str, int] = {}
    out = []
    for s in scenarios:
        seen[s.name] = seen.get(s.name, 0) + 1
        out.append(s.name if seen[s.name] == 1 else f"{s.name}-{seen[s.name]}")
    return out


def metric_table(name: str, results: Results) -> pd.DataFrame:
    """Long table of every per-member metric of one run: median, p05, p95."""
    pm = member_metrics(results)
    return pd.DataFrame({
        "scenario": name,
        "metric": pm.columns,
        "median": pm.median().to_numpy(),
        "p05": pm.quantile(0.05).to_numpy(),
        "p95": pm.quantile(0.95).to_numpy(),
        "replicates": len(pm),
    })


def fmt(unit: str, v: float) -> str:
    """A metric value in ``unit`` (see :data:`UNITS`) for the printed table."""
    if not np.isfinite(v):
        return "n/a"
    factor, _, pattern = UNITS[unit]
    return pattern.format(v * factor)


def display_rows(table: pd.DataFrame, names: Sequence[str],
                 scenarios: Sequence[Scenario]) -> list[list[str]]:
    """Rows (label, value per scenario) of the key metrics; values are "median" or
    "median [p05–p95]" with several replicates.
    """
    rows = []
    targets = scenarios[0].outcomes.targets
    measure = scenarios[0].outcomes.target_measure.replace("_", " ")
    for key, label, unit in KEY_METRICS:
        sub = table[table["metric"] == key].set_index("scenario")
        if sub.empty or sub["median"].isna().all():
            continue
        if key.startswith("targets."):
            t = targets[int(key.split(".")[1])]
            label = f"Countries ≥{100 * t.coverage:.0f}% {measure} by {t.by}"
        cells = [label]
        for n in names:
            if n not in sub.index:
                cells.append("—")
                continue
            r = sub.loc[n]
            cell = fmt(unit, r["median"])
            if r["replicates"] > 1 and np.isfinite(r["median"]):
                cell += f" [{fmt(unit, r['p05'])}–{fmt(unit, r['p95'])}]"
            cells.append(cell)
        rows.append(cells)
    return rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_comparison(folder: Path, names: Sequence[str], scenarios: Sequence[Scenario],
                     results: Sequence[Results], seed: int, replicates: int,
                     notes: Sequence[str] = ()) -> pd.DataFrame:
    """Write ``comparison.csv``, ``plots/compare_*.png`` and ``report.html`` of finished
    runs into ``folder`` (a staging folder: :func:`sim.output.folder.staging_dir`);
    ``notes`` (e.g. that a scenario is deterministic) go under the report's title.

    Returns
    -------
    DataFrame
        scenario, metric, median, p05, p95, replicates (every metric of every run)
    """
    table = pd.concat([metric_table(n, r) for n, r in zip(names, results, strict=True)],
                      ignore_index=True)
    write_atomic(folder / "comparison.csv", table.to_csv(index=False))
    plots = folder / "plots"
    paths = [cplots.compare_coverage([(n, r.groups) for n, r in zip(names, results,
                                                                    strict=True)],
                                     plots / "compare_coverage.png")]
    panels = [(n, country_panel(r.countries)) for n, r in zip(names, results, strict=True)]
    end = max(p.dates[-1] for _, p in panels)
    paths.append(cplots.compare_lorenz([(n, p.at()[1], p.population) for n, p in panels],
                                       plots / "compare_lorenz.png", end))
    paths.append(cplots.compare_metrics(
        table, [(k, label, *UNITS[u][:2]) for k, label, u in KEY_METRICS
                if not k.startswith("deaths")], plots / "compare_metrics.png"))
    paths.append(cplots.compare_deaths(table, plots / "compare_deaths.png"))
    rows = display_rows(table, names, scenarios)
    note = (f"Seed {seed}, {replicates} replicate(s) each; "
            f"scenarios: {', '.join(f'{n} ({s.days} days from {s.start})' for n, s in zip(names, scenarios, strict=True))}."  # noqa: E501
            + "".join(f" Note: {n.removeprefix('note: ')}." for n in notes))
    write_atomic(folder / "report.html", comparison_report(
        names, rows, [p for p in paths if p is not None], [(n, n) for n in names], note))
    return table
