"""Compare scenarios: run each with the same seed and replicates, tabulate their metrics
with 5–95% bands, plot them side by side and write a comparison report.

Output folder: ``comparison.csv`` (scenario × metric: median, p05, p95, replicates),
``comparison.json`` (names, seed, replicates, key-metric rows: what ``vaxsim report``
needs to rebuild the report), ``plots/compare_*.png``, ``report.html`` and one full
results folder per scenario.

Examples
--------
>>> from sim import load_scenario
>>> from sim.compare import compare
>>> cmp = compare([load_scenario("scenarios/baseline.yaml"),
...                load_scenario("scenarios/nationalism.yaml")], "results/cmp")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim import formatting
from sim.plots import PlotJob, draw
from sim.results import Results, publish, staging_dir
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.progress import Progress

#: Metrics in the printed table and the bar chart: (key, label, unit of
#: :mod:`sim.formatting`). Keys a run does not have (no epidemic, no donations, target
#: after the end) are skipped; target labels are filled in by :func:`key_metrics`.
KEY_METRICS = (
    ("coverage_final.World", "Coverage ≥1 dose, World", "share"),
    ("coverage_final.HIC", "Coverage ≥1 dose, high income", "share"),
    ("coverage_final.LIC", "Coverage ≥1 dose, low income", "share"),
    ("gini_coverage", "Gini, population-weighted", "index"),
    ("gini_coverage_unweighted", "Gini, countries unweighted", "index"),
    ("concentration_index", "Concentration index (GDP per capita)", "signed_index"),
    ("hic_lic_ratio", "High / low income coverage ratio", "ratio"),
    ("targets.0.countries_met", "Countries meeting target 1", "countries"),
    ("targets.1.countries_met", "Countries meeting target 2", "countries"),
    ("doses_expired", "Doses expired", "count"),
    ("deaths_per_million.World", "Deaths per million, World", "per_million"),
    ("deaths_averted_per_million.World", "Deaths averted per million, World", "per_million"),
    ("donated_share_of_supply.LIC", "Donated share of low-income supply", "share"),
)


def key_metrics(scenarios: Sequence[Scenario]) -> list[tuple[str, str, str]]:
    """:data:`KEY_METRICS` with each target's label saying which target it is
    ("Countries ≥40% completed by 2021-12-31"), from the first scenario's targets.
    """
    targets = scenarios[0].outcomes.targets
    measure = scenarios[0].outcomes.target_measure.replace("_", " ")
    out = []
    for key, label, unit in KEY_METRICS:
        if key.startswith("targets."):
            i = int(key.split(".")[1])
            if i >= len(targets):
                continue
            t = targets[i]
            label = f"Countries ≥{100 * t.coverage:.0f}% {measure} by {t.by}"
        out.append((key, label, unit))
    return out


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
    from sim.metrics import member_metrics

    pm = member_metrics(results)
    return pd.DataFrame({
        "scenario": name,
        "metric": pm.columns,
        "median": pm.median().to_numpy(),
        "p05": pm.quantile(0.05).to_numpy(),
        "p95": pm.quantile(0.95).to_numpy(),
        "replicates": len(pm),
    })


def display_rows(table: pd.DataFrame, names: Sequence[str],
                 metrics: Sequence[Sequence[str]]) -> list[list[str]]:
    """Rows (label, value per scenario) of ``metrics`` ((key, label, unit) as from
    :func:`key_metrics`); values are "median" or "median [p05–p95]" with several
    replicates, formatted by :mod:`sim.formatting`.
    """
    rows = []
    for key, label, unit in metrics:
        sub = table[table["metric"] == key].set_index("scenario")
        if sub.empty or sub["median"].isna().all():
            continue
        cells = [label]
        for n in names:
            if n not in sub.index:
                cells.append("—")
                continue
            r = sub.loc[n]
            if r["replicates"] > 1:
                cells.append(formatting.with_band(r["median"], r["p05"], r["p95"], unit))
            else:
                cells.append(formatting.value(r["median"], unit))
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


def comparison_plot_jobs(names: Sequence[str], results: Sequence[Results],
                         table: pd.DataFrame, scenarios: Sequence[Scenario]) -> list[PlotJob]:
    """The comparison's plots as jobs (see :mod:`sim.plots`), in report order."""
    from sim.metrics import country_panel
    from sim.plots import compare as cplots

    panels = [(n, country_panel(r.countries)) for n, r in zip(names, results, strict=True)]
    end = max(p.dates[-1] for _, p in panels)
    bars = [m for m in key_metrics(scenarios) if not m[0].startswith("deaths")]
    return [
        PlotJob("compare_coverage", cplots.compare_coverage,
                ([(n, r.groups) for n, r in zip(names, results, strict=True)],)),
        PlotJob("compare_lorenz", cplots.compare_lorenz,
                ([(n, p.at()[1], p.population) for n, p in panels], end)),
        PlotJob("compare_metrics", cplots.compare_metrics, (table, bars)),
        PlotJob("compare_deaths", cplots.compare_deaths, (table,)),
    ]


#: Plots of a comparison (the length of :func:`comparison_plot_jobs`).
COMPARE_PLOTS = 4


def compare_steps(scenarios: Sequence[Scenario]) -> dict[str, int]:
    """Steps :func:`compare` reports per phase, for a progress display planned ahead."""
    from sim.results import save_steps

    steps = {"simulate": sum(s.days for s in scenarios)}
    for s in scenarios:
        for phase, n in save_steps(s).items():
            steps[phase] = steps.get(phase, 0) + n
    steps["plots"] += COMPARE_PLOTS
    steps["report"] += 1
    return steps


def compare(scenarios: Sequence[Scenario], out: str | Path, *, seed: int | None = None,
            replicates: int | None = None, progress: Progress | None = None) -> Comparison:
    """Run ``scenarios`` with one seed and replicate count and write the comparison.

    Parameters
    ----------
    scenarios : validated scenarios (at least one)
    out : output folder (written atomically)
    seed : default the first scenario's seed
    replicates : default the largest replicate count among the scenarios
    progress : advanced through :func:`compare_steps`' phases (days simulated over all
        scenarios, then tables, plots and reports)

    Returns
    -------
    Comparison
    """
    from sim.api import run
    from sim.report import write_atomic, write_comparison_report

    seed = scenarios[0].seed if seed is None else seed
    replicates = max(s.replicates for s in scenarios) if replicates is None else replicates
    names = unique_names(scenarios)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = staging_dir(out)
    try:
        results, done = [], 0
        for s, name in zip(scenarios, names, strict=True):
            def step(d: int, base: int = done) -> None:
                if progress is not None:
                    progress.set("simulate", base + d)

            r = run(s, seed=seed, replicates=replicates, progress=step)
            r.save(tmp / name, progress=progress)
            results.append(r)
            done += s.days
        table = pd.concat([metric_table(n, r) for n, r in zip(names, results, strict=True)],
                          ignore_index=True)
        write_atomic(tmp / "comparison.csv", table.to_csv(index=False))
        for job in comparison_plot_jobs(names, results, table, scenarios):
            draw(job, tmp / "plots")
            if progress is not None:
                progress.advance("plots")
        meta = {"names": names, "seed": seed, "replicates": replicates,
                "scenarios": [{"name": n, "days": s.days, "start": s.start.isoformat(),
                               "question": s.question or "", "description": s.description}
                              for n, s in zip(names, scenarios, strict=True)],
                "key_metrics": key_metrics(scenarios)}
        write_atomic(tmp / "comparison.json", json.dumps(meta, indent=2) + "\n")
        write_comparison_report(tmp)
        if progress is not None:
            progress.advance("report")
        publish(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Comparison(names, results, table, out)
