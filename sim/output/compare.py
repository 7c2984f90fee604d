"""Comparisons of scenarios run with the same seed and replicates (:func:`sim.api.compare`):
their metrics with 5–95% bands, plotted side by side, and a comparison report.

Output folder: ``comparison.csv`` (scenario × metric: median, p05, p95, replicates),
``differences.csv`` (each scenario after the first minus the first, paired replicate by
replicate: :mod:`sim.output.differences`), ``comparison.json`` (names, seed, replicates,
key-metric rows: what ``vaxsim report`` needs to rebuild the report),
``plots/compare_*.png``, ``report.html`` and one full results folder per scenario.

Examples
--------
>>> from sim import load_scenario
>>> from sim.api import compare
>>> cmp = compare([load_scenario("scenarios/baseline.yaml"),
...                load_scenario("scenarios/nationalism.yaml")], "results/cmp")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pandas as pd

from sim.outcomes import formatting
from sim.outcomes.registry import unit_of
from sim.outcomes.results import Results
from sim.output.differences import COLUMNS as DIFFERENCE_COLUMNS
from sim.output.differences import brief_differences, difference_table, differences_section
from sim.output.folder import save_steps
from sim.output.names import unique_slugs
from sim.output.plots import PlotJob, draw
from sim.output.report import (
    HEADLINES,
    esc,
    image_tag,
    metric_rows,
    page,
    table_html,
    write_atomic,
)
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.output.progress import Progress

#: Metrics in the printed table and the bar chart: (key, label); each one's unit comes from
#: the metrics registry (:func:`sim.outcomes.registry.unit_of`). Keys a run does not have
#: (no epidemic, no donations, target after the end) are skipped; target labels are
#: filled in by :func:`key_metrics`.
KEY_METRICS = (
    ("coverage_final.World", "Coverage ≥1 dose, World"),
    ("coverage_final.HIC", "Coverage ≥1 dose, high income"),
    ("coverage_final.LIC", "Coverage ≥1 dose, low income"),
    ("gini_coverage", "Gini, population-weighted"),
    ("gini_coverage_unweighted", "Gini, countries unweighted"),
    ("concentration_index", "Concentration index (GDP per capita)"),
    ("hic_lic_ratio", "High / low income coverage ratio"),
    ("targets.0.countries_met", "Countries meeting target 1"),
    ("targets.1.countries_met", "Countries meeting target 2"),
    ("doses_expired", "Doses expired"),
    ("deaths_per_million.World", "Deaths per million, World"),
    ("deaths_averted_per_million.World", "Deaths averted per million, World"),
    ("donated_share_of_supply.LIC", "Donated share of low-income supply"),
)


def key_metrics(scenarios: Sequence[Scenario]) -> list[tuple[str, str, str]]:
    """:data:`KEY_METRICS` with each target's label saying which target it is
    ("Countries ≥40% completed by 2021-12-31"), from the first scenario's targets.
    """
    targets = scenarios[0].outcomes.targets
    measure = scenarios[0].outcomes.target_measure.replace("_", " ")
    out = []
    for key, label in KEY_METRICS:
        unit = unit_of(key)
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
    differences : every scenario after the first minus the first, paired replicate by
        replicate (:func:`sim.output.differences.difference_table`; empty with one)
    """

    names: list[str]
    results: list[Results]
    table: pd.DataFrame
    folder: Path
    differences: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(DIFFERENCE_COLUMNS)))


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
    pm = results.per_member
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
    replicates, formatted by :mod:`sim.outcomes.formatting`.
    """
    def cell(r: pd.Series, unit: str) -> str:
        if r["replicates"] > 1:
            return formatting.with_band(r["median"], r["p05"], r["p95"], unit)
        return formatting.value(r["median"], unit)

    return metric_rows(table, names, metrics, "median", cell)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def comparison_plot_jobs(names: Sequence[str], results: Sequence[Results],
                         table: pd.DataFrame, scenarios: Sequence[Scenario],
                         differences: pd.DataFrame | None = None) -> list[PlotJob]:
    """The comparison's plots as jobs (see :mod:`sim.output.plots`), in report order;
    the paired differences' plot only with ``differences`` of at least two scenarios.
    """
    from sim.outcomes.coverage import country_panel
    from sim.output.plots import compare as cplots

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
        *([PlotJob("compare_differences", cplots.compare_differences, (differences,))]
          if differences is not None and not differences.empty else []),
    ]


#: Plots of a comparison (the length of :func:`comparison_plot_jobs`, at most).
COMPARE_PLOTS = 5


def compare_steps(scenarios: Sequence[Scenario]) -> dict[str, int]:
    """Steps :func:`sim.api.compare` reports per phase, for a progress display planned
    ahead.
    """
    steps = {"simulate": sum(s.days for s in scenarios)}
    for s in scenarios:
        for phase, n in save_steps(s).items():
            steps[phase] = steps.get(phase, 0) + n
    steps["plots"] += COMPARE_PLOTS
    steps["report"] += 1
    return steps


def write_comparison(folder: Path, names: Sequence[str], scenarios: Sequence[Scenario],
                     results: Sequence[Results], seed: int, replicates: int,
                     progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``comparison.csv``, ``differences.csv`` (two scenarios or more),
    ``comparison.json``, ``plots/compare_*.png`` and ``report.html`` of finished runs into
    ``folder`` (a staging folder: :func:`sim.output.folder.staging_dir`); ``progress``
    advances ``plots`` and ``report``.

    Returns
    -------
    (DataFrame, DataFrame)
        scenario, metric, median, p05, p95, replicates (every metric of every run); the
        paired differences from the first scenario
        (:func:`sim.output.differences.difference_table`)
    """
    table = pd.concat([metric_table(n, r) for n, r in zip(names, results, strict=True)],
                      ignore_index=True)
    write_atomic(folder / "comparison.csv", table.to_csv(index=False))
    differences = difference_table(names, results)
    if len(names) > 1:
        write_atomic(folder / "differences.csv", differences.to_csv(index=False))
    jobs = comparison_plot_jobs(names, results, table, scenarios, differences)
    for job in jobs:
        draw(job, folder / "plots")
        if progress is not None:
            progress.advance("plots")
    if progress is not None:
        progress.advance("plots", COMPARE_PLOTS - len(jobs))
    meta = {"names": list(names), "seed": seed, "replicates": replicates,
            "scenarios": [{"name": n, "days": s.days, "start": s.start.isoformat(),
                           "question": s.question or "", "description": s.description}
                          for n, s in zip(names, scenarios, strict=True)],
            "key_metrics": key_metrics(scenarios)}
    write_atomic(folder / "comparison.json", json.dumps(meta, indent=2) + "\n")
    write_comparison_report(folder)
    if progress is not None:
        progress.advance("report")
    return table, differences


# --------------------------------------------------------------------------- comparison
@dataclass
class CompareInput:
    """What a comparison report is built from (read from the comparison folder)."""

    folder: Path
    meta: dict[str, Any]
    table: Any  # pandas DataFrame of comparison.csv
    plots: list[Path] = field(default_factory=list)
    differences: Any = None  # pandas DataFrame of differences.csv (None: one scenario)

    @property
    def names(self) -> list[str]:
        """Scenario names, in the order compared."""
        return list(self.meta["names"])


def compare_brief(c: CompareInput) -> str:
    """The brief of a comparison: the question, headline numbers per scenario, a map."""
    names = c.names
    question = f"What changes between {', '.join(names[:-1])} and {names[-1]}?" \
        if len(names) > 1 else names[0]
    keys = [k for k, _, _ in HEADLINES]
    metrics = sorted([m for m in c.meta["key_metrics"] if m[0] in keys],
                     key=lambda m: keys.index(m[0]))[:3]
    rows = display_rows(c.table, names, metrics)
    asks = "".join(f"<li><b>{esc(s['name'])}</b>: {esc(s['question'])}</li>"
                   for s in c.meta["scenarios"] if s.get("question"))
    # The map: the first diplomacy map among the scenarios, else the last coverage map.
    maps = [c.folder / n / "plots" / "diplomacy_map.png" for n in names] + [
        c.folder / n / "plots" / "coverage_map.png" for n in reversed(names)]
    shown = next((m for m in maps if m.exists()), None)
    what = "Who gave doses to whom" if shown is not None and shown.stem == "diplomacy_map" \
        else "Coverage by country at the end"
    body = (f"<section class=brief><h1>Comparison: {esc(' vs '.join(names))}</h1>"
            f"<p class=question>{esc(question)}</p>"
            + (f"<ul>{asks}</ul>" if asks else "")
            + table_html(("headline", *names), rows)
            + (brief_differences(c.differences, names, c.meta["replicates"])
               if c.differences is not None else "")
            + f"<p class=meta>{esc(compare_note(c.meta))}</p>"
            + (image_tag(shown, f"{what} in {shown.parent.parent.name}.")
               if shown else "") + "</section>")
    return body


def compare_note(meta: dict[str, Any]) -> str:
    """Seed, replicates and each scenario's period."""
    runs = ", ".join(f"{s['name']} ({s['days']} days from {s['start']})"
                     for s in meta["scenarios"])
    band = "; values are medians [5–95% over replicates]" if meta["replicates"] > 1 else ""
    return f"Seed {meta['seed']}, {meta['replicates']} replicate(s) each{band}; {runs}."


def compare_metrics_section(c: CompareInput) -> str:
    """Every key metric, side by side."""
    return ("<h2>Key metrics</h2>"
            + table_html(("metric", *c.names), display_rows(c.table, c.names,
                                                              c.meta["key_metrics"])))


def compare_differences_section(c: CompareInput) -> str:
    """What each scenario changes against the first, paired by replicate."""
    if c.differences is None:
        return ""
    return differences_section(c.differences, c.meta)


def compare_plots_section(c: CompareInput) -> str:
    """The comparison plots."""
    return "<h2>Plots</h2>" + "".join(image_tag(p) for p in sorted(c.plots,
                                                                   key=lambda p: p.name))


def compare_links_section(c: CompareInput) -> str:
    """Links to each scenario's own report."""
    # Each run's folder is the slug of its name; links are relative ("./" + a
    # percent-encoded slug), so no scheme (javascript:, data:) can get into an href.
    links = "".join(f'<li>{esc(n)}: <a href="./{quote(f)}/report.html">{esc(f)}/report.html'
                    "</a></li>" for n, f in zip(c.names, unique_slugs(c.names), strict=True))
    return f"<h2>Each scenario's own report</h2><ul>{links}</ul>"


#: Sections of a comparison report, in order; append to add one.
COMPARE_SECTIONS: list[Callable[[CompareInput], str]] = [
    compare_brief, compare_metrics_section, compare_differences_section,
    compare_plots_section, compare_links_section]


def write_comparison_report(folder: str | Path) -> Path:
    """(Re)write ``folder/report.html`` of a comparison from comparison.json,
    comparison.csv, differences.csv (when there) and plots/*.png; return its path.
    """
    folder = Path(folder)
    meta = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    table = pd.read_csv(folder / "comparison.csv")
    diffs = folder / "differences.csv"
    c = CompareInput(folder, meta, table, sorted((folder / "plots").glob("*.png")),
                     pd.read_csv(diffs) if diffs.is_file() else None)
    text = page(f"vaxsim comparison: {', '.join(c.names)}",
                "\n".join(section(c) for section in COMPARE_SECTIONS))
    return write_atomic(folder / "report.html", text)
