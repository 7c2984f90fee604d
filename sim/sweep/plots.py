"""PNG plots of a sweep: Sobol indices, 2-parameter heatmaps, metric-vs-parameter scatter.

- ``sobol_<metric>.png`` (sobol sweeps): first-order and total indices per parameter,
  with their confidence intervals as error bars;
- ``heatmap_<metric>.png`` (grids over exactly two parameters): the metric's mean over
  replicates in every cell, written in the cell; the colour scale spans at least the
  metric's :data:`MIN_SPAN`, so a difference too small to matter does not look dramatic;
- ``scatter_<metric>.png`` (every other sweep): the metric at each point against each
  parameter (one panel per parameter, log axis for log-sampled ranges), the mean over
  replicates as dots;
- ``contrast.png`` (a sweep file with ``contrast:``): treatment minus control, paired by
  replicate, for each setting of the other parameters, with intervals.

Parameters and metrics are labelled in words with their units (:func:`param_label`,
:func:`metric_label`), numbers through :mod:`sim.outcomes.formatting`. At most
:data:`MAX_METRICS` metrics get plots (the first ones of the sweep's list that have a
finite value somewhere). Plots use the run plots' style (:mod:`sim.output.plots.style`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outcomes import formatting
from sim.output.plots.style import (
    GROUP_LABELS,
    STYLE,
    difference_axis,
    figure,
    legend_outside,
    save,
    unit_axis,
)
from sim.sweep.contrast import contrast_settings

if TYPE_CHECKING:
    from sim.sweep.runner import SweepResults
    from sim.sweep.spec import SweepSpec

MAX_METRICS = 6
#: Labels of parameters the shipped sweeps vary; others are spelled out from their path.
PARAM_LABELS = {
    "procurement.groups.HIC.multiple": "High-income hoarding (courses ordered per person)",
    "procurement.groups.HIC.priority": "High-income market tier (0 = served first)",
    "procurement.groups.LIC.budget_share": "Low-income vaccine budget (share of GDP)",
    "pool.tier_share": "Pool first tier (share of population, pro rata)",
    "production.multiplier": "Manufacturing output (× shipped schedule)",
    "uptake.hesitancy": "Vaccine hesitancy (share of people)",
    "uptake.capacity.LIC.end": "Low-income vaccination capacity (share of people per day)",
    "donation.groups.HIC.share": "High-income donation (share of spare doses given)",
    "epidemic.emergence.enabled": "Emergent variants (on or off)",
}
#: Smallest colour-scale span of a heatmap, per unit (share: 10 percentage points).
MIN_SPAN = {"share": 0.10, "index": 0.10, "count": 0.0, "per_million": 0.0,
            "signed_index": 0.10, "ratio": 0.5, "countries": 10.0}


def param_label(path: str) -> str:
    """Words for a parameter path: ``pool.tier_share`` → "Pool first tier (share …)"."""
    if path in PARAM_LABELS:
        return PARAM_LABELS[path]
    parts = [GROUP_LABELS.get(p, p).replace("_", " ") for p in path.split(".")]
    return f"{parts[-1].capitalize()} ({', '.join(parts[:-1])})" if len(parts) > 1 \
        else parts[0].capitalize()


def metric_unit(name: str) -> str:
    """The :mod:`sim.outcomes.formatting` unit of a sweep metric."""
    if name.startswith(("coverage", "donated_share")):
        return "share"
    if name.startswith("concentration"):
        return "signed_index"
    if name.startswith("gini"):
        return "index"
    if "per_million" in name:
        return "per_million"
    if name.startswith("hic_lic"):
        return "ratio"
    if ".countries_met" in name:
        return "countries"
    return "count"


def metric_label(name: str) -> str:
    """Axis label of a metric, with its unit."""
    kind, _, group = name.partition(".")
    where = GROUP_LABELS.get(group, group)
    if kind == "coverage_final":
        return f"{where}: people with ≥1 dose at the end (%)"
    if kind == "coverage_completed_final":
        return f"{where}: people with a full course at the end (%)"
    if kind == "gini_coverage":
        return "Gini of coverage, population-weighted (index)"
    if kind == "gini_coverage_unweighted":
        return "Gini of coverage, countries unweighted (index)"
    unit = metric_unit(name)
    text = kind.replace("_", " ").capitalize() + (f", {where}" if where else "")
    return f"{text} ({formatting.AXIS_UNITS[unit] or count_noun(name)})"


def count_noun(name: str) -> str:
    """What a count metric counts: ``people`` (deaths, infections) or ``doses``."""
    return "people" if name.startswith(("deaths", "infections")) else "doses"


def slug(name: str) -> str:
    """A file-name-safe form of a metric name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")


def sobol_bars(sens: dict, metric: str) -> Figure | None:
    """Horizontal bars of S1 and ST per parameter, with confidence intervals."""
    by_param = sens["metrics"].get(metric)
    if not by_param:
        return None
    params = list(by_param)
    y = np.arange(len(params))
    with plt.rc_context(STYLE):
        fig, ax = figure((10, 2.4 + 0.6 * len(params)))
        for key, label, color, off in (("S1", "first-order (S1)", "#1b9e77", -0.2),
                                       ("ST", "total (ST)", "#fc8d62", 0.2)):
            vals = np.array([by_param[p][key] for p in params], dtype=float)
            ci = np.array([by_param[p][f"{key}_ci"] for p in params], dtype=float)
            err = np.abs(np.vstack([vals - ci[:, 0], ci[:, 1] - vals]))
            ax.barh(y + off, vals, height=0.38, color=color, label=label, xerr=err,
                    capsize=3, error_kw={"lw": 1})
        ax.set_yticks(y, [param_label(p) for p in params])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("Sobol index (share of output variance)")
        ax.set_ylabel("Parameter")
        level = int(round(100 * sens.get("confidence_level", 0.95)))
        ax.set_title(f"What drives {metric_label(metric).rsplit(' (', 1)[0]}?\n"
                     f"bars: estimates; whiskers: {level}% bootstrap interval; "
                     f"N = {sens.get('base_samples')} base samples", fontsize=10)
        legend_outside(ax)
        return fig


def _norm(values: np.ndarray, unit: str) -> matplotlib.colors.Normalize:
    """A colour norm over the finite ``values``, widened to at least the unit's span."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = max(MIN_SPAN.get(unit, 0.0), hi - lo)
    if unit == "count":
        span = max(span, 0.2 * max(abs(hi), abs(lo)))  # counts: at least ±10% of the level
    mid = (lo + hi) / 2
    lo, hi = mid - span / 2, mid + span / 2
    if unit in ("share", "index") and lo < 0:
        lo, hi = 0.0, span
    if hi <= lo:
        hi = lo + 1.0
    return matplotlib.colors.Normalize(lo, hi)


def heatmap(summary: pd.DataFrame, x: str, y: str, metric: str) -> Figure:
    """The metric's mean over replicates on a 2-parameter grid, values in the cells."""
    unit = metric_unit(metric)
    table = summary.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    values = formatting.snap(table.to_numpy(dtype=float), unit)
    norm = _norm(values, unit)
    cmap = matplotlib.colormaps["viridis"]
    ny, nx = values.shape
    with plt.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = figure((min(2.5 + 1.2 * nx, 14), min(2.0 + 0.65 * ny, 10)))
        im = ax.imshow(np.ma.masked_invalid(values), origin="lower", aspect="auto",
                       cmap=cmap, norm=norm, interpolation="nearest")
        ax.set_xticks(range(nx), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(ny), [f"{v:g}" for v in table.index])
        ax.set_xlabel(param_label(x))
        ax.set_ylabel(param_label(y))
        for i in range(ny):
            for j in range(nx):
                v = values[i, j]
                text = formatting.value(v, unit) if np.isfinite(v) else "n/a"
                light = np.isfinite(v) and np.mean(cmap(norm(v))[:3]) > 0.5
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="black" if light else "white")
        bar = fig.colorbar(im, ax=ax)
        unit_axis(bar.ax, unit)
        bar.set_label(metric_label(metric))
        finite = values[np.isfinite(values)]
        note = (f"the same at every point ({formatting.value(finite[0], unit)})"
                if finite.size and np.ptp(finite) == 0 else
                f"colour scale spans "
                f"{formatting.value((norm.vmax or 0.0) - (norm.vmin or 0.0), unit)}")
        ax.set_title(f"{metric_label(metric).rsplit(' (', 1)[0]}\nmean over replicates; "
                     f"{note}", fontsize=10)
        return fig


def scatter(summary: pd.DataFrame, params: list[str], metric: str,
            log: set[str] | frozenset[str] = frozenset()) -> Figure:
    """The metric at each point against each parameter (log axis for ``log`` ones)."""
    unit = metric_unit(metric)
    n = len(params)
    cols = min(n, 3)
    rows = -(-n // cols)
    with plt.rc_context(STYLE):
        fig, axes = figure((4.6 * cols, 3.6 * rows), rows, cols, squeeze=False, sharey=True)
        values = formatting.snap(summary[metric].to_numpy(dtype=float), unit)
        for ax, p in zip(axes.ravel(), params, strict=False):
            ax.scatter(summary[p], values, s=10, alpha=0.6, color="#1f77b4")
            if p in log:  # decades and 2, 5 between them, written plainly (0.002, 0.005)
                ax.set_xscale("log")
                ax.xaxis.set_major_locator(mticker.LogLocator(subs=(1.0, 2.0, 5.0)))
                ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:g}"))
                ax.xaxis.set_minor_formatter(mticker.NullFormatter())
            ax.set_xlabel(param_label(p) + (" — log scale" if p in log else ""), fontsize=8)
            unit_axis(ax, unit)
        for ax in axes[:, 0]:
            ax.set_ylabel(metric_label(metric), fontsize=8)
        for ax in axes.ravel()[n:]:
            ax.set_visible(False)
        fig.suptitle(f"{metric_label(metric).rsplit(' (', 1)[0]} at each sweep point "
                     "(mean over replicates)")
        fig.tight_layout()
        return fig


def _setting(row: pd.Series, others: list[str]) -> str:
    """Words for one setting of the parameters other than the contrast's."""
    if not others:
        return "every point"
    return "\n".join(f"{param_label(p)} = {formatting.setting(row[p])}" for p in others)


def contrast_forest(table: pd.DataFrame, spec: SweepSpec) -> Figure | None:
    """The sweep's contrast (:func:`sim.sweep.contrast.sweep_contrasts`): one panel per
    metric (at most :data:`MAX_METRICS`), a row per setting of the other parameters, a dot
    at the mean paired difference (treatment minus control) with a bar for its interval,
    and a line at no difference. None when no difference is defined.
    """
    c = spec.contrast
    if c is None or table is None or table["diff_mean"].isna().all():
        return None
    names = [m for m in spec.contrast_metrics
             if table.loc[table["metric"] == m, "diff_mean"].notna().any()][:MAX_METRICS]
    others = contrast_settings(table)
    settings = table[table["metric"] == names[0]].reset_index(drop=True)
    labels = [_setting(r, others) for _, r in settings.iterrows()]
    cols = min(len(names), 3)
    rows = -(-len(names) // cols)
    height = max(2.4, 0.45 * len(labels) * max(1, len(others)) + 1.4)
    with plt.rc_context(STYLE):
        fig, axes = figure((5.2 * cols, height * rows + 0.6), rows, cols, squeeze=False,
                           sharey=True)
        y = np.arange(len(labels))[::-1].astype(float)
        for ax, metric in zip(axes.ravel(), names, strict=False):
            unit = metric_unit(metric)
            sub = table[table["metric"] == metric].reset_index(drop=True)
            mid, lo, hi = (formatting.snap(sub[k].to_numpy(dtype=float), unit)
                           for k in ("diff_mean", "diff_lo", "diff_hi"))
            err = np.abs(np.vstack([mid - lo, hi - mid]))
            ax.errorbar(mid, y, xerr=None if np.isnan(err).all() else err, fmt="o",
                        color="#1f77b4", capsize=3)
            for x, yv, k in zip(mid, y, range(len(mid)), strict=True):
                if np.isfinite(x):
                    ax.annotate(formatting.difference(x, lo[k], hi[k], unit), (x, yv),
                                xytext=(0, 6), textcoords="offset points", ha="center",
                                fontsize=7)
            ax.axvline(0.0, color="0.4", lw=0.8)
            ax.margins(x=0.25, y=0.2)
            difference_axis(ax, unit, count_noun(metric), fontsize=8)
            ax.xaxis.set_major_locator(mticker.MaxNLocator(5))
            ax.set_title(metric_label(metric).rsplit(" (", 1)[0], fontsize=9)
        for ax in axes[:, 0]:
            ax.set_yticks(y, labels, fontsize=8)
            ax.set_ylabel("Setting of the other parameters" if others else "Points",
                          fontsize=8)
        for ax in axes.ravel()[len(names):]:
            ax.set_visible(False)
        pairs = int(table["replicates"].max())
        what = f"mean of {pairs} paired replicates, bar: {100 * c.level:g}% interval" \
            if pairs > 1 else "one replicate: no interval"
        fig.suptitle(f"{param_label(c.parameter)}: {formatting.setting(c.treatment)} "
                     f"minus {formatting.setting(c.control)} ({what})", fontsize=10)
        fig.tight_layout()
        return fig


def caption(stem: str, metrics: list[str]) -> str:
    """The report caption of a sweep plot, from its file stem."""
    kind, _, name = stem.partition("_")
    metric = next((m for m in metrics if slug(m) == name), name)
    what = metric_label(metric).rsplit(" (", 1)[0]
    if stem == "contrast":
        return ("What the contrast's treatment changes against its control, replicate by "
                "replicate (the arms share their seeds), for each setting of the other "
                "parameters.")
    return {"sobol": f"What drives {what}: Sobol indices of each parameter.",
            "heatmap": f"{what} over the grid of the two parameters (mean over replicates).",
            "scatter": f"{what} at each sweep point against each parameter."}.get(
                kind, f"{what}.")


def plot_count(spec: SweepSpec) -> int:
    """Plots :func:`plot_sweep` writes at most (for a progress display)."""
    metrics = min(len(spec.metrics), MAX_METRICS)
    return metrics * (2 if spec.method == "sobol" else 1) + (spec.contrast is not None)


def plot_sweep(res: SweepResults, folder: Path,
               progress: Callable[[], None] | None = None) -> list[Path]:
    """Every plot of a sweep into ``folder``; returns the files written.

    ``progress()`` is called after each plot written.
    """
    folder = Path(folder)
    summary = res.summary()
    params = res.parameters
    log = {p for p, v in res.spec.parameters.items() if v.log}
    out: list[Path] = []
    finite = [m for m in res.spec.metrics
              if np.isfinite(summary[m].to_numpy(dtype=float)).any()]  # all-NaN: nothing to draw
    contrasts = res.contrast_table()
    if contrasts is not None:
        fig = contrast_forest(contrasts, res.spec)
        if fig is not None:
            out.append(save(fig, folder / "contrast.png"))
        if progress is not None:
            progress()
    for metric in finite[:MAX_METRICS]:
        name = slug(metric)
        figs = []
        if res.sensitivity is not None:
            figs.append((f"sobol_{name}", sobol_bars(res.sensitivity, metric)))
        if res.spec.method == "grid" and len(params) == 2:
            figs.append((f"heatmap_{name}", heatmap(summary, params[0], params[1], metric)))
        else:
            figs.append((f"scatter_{name}", scatter(summary, params, metric, log)))
        for stem, fig in figs:
            if fig is not None:
                out.append(save(fig, folder / f"{stem}.png"))
                if progress is not None:
                    progress()
    return out
