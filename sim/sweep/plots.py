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
  replicate, for each setting of the other parameters, or against each sampled parameter
  in a sampled sweep (:mod:`sim.sweep.contrast_plots`).

Parameters and metrics are labelled in words with their units (:mod:`sim.sweep.labels`),
numbers through :mod:`sim.outcomes.formatting`. At most
:data:`MAX_METRICS` metrics get plots (the first ones of the sweep's list that have a
finite value somewhere). Plots use the run plots' style (:mod:`sim.output.plots.style`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outcomes import formatting
from sim.output.plots.style import STYLE, figure, legend_outside, log_x, save, unit_axis
from sim.sweep.contrast_plots import contrast_figure
from sim.sweep.labels import MAX_METRICS, metric_label, metric_unit, param_label, slug

if TYPE_CHECKING:
    from sim.sweep.runner import SweepResults
    from sim.sweep.spec import SweepSpec

#: Smallest colour-scale span of a heatmap, per unit (share: 10 percentage points).
MIN_SPAN = {"share": 0.10, "index": 0.10, "count": 0.0, "per_million": 0.0,
            "signed_index": 0.10, "ratio": 0.5, "countries": 10.0}


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
            if p in log:
                log_x(ax)
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


def caption(stem: str, metrics: list[str]) -> str:
    """The report caption of a sweep plot, from its file stem."""
    kind, _, name = stem.partition("_")
    metric = next((m for m in metrics if slug(m) == name), name)
    what = metric_label(metric).rsplit(" (", 1)[0]
    if stem == "contrast":
        return ("What the contrast's treatment changes against its control, replicate by "
                "replicate (the arms share their seeds), for each setting of the other "
                "parameters, or in each sampled world against the sampled parameters.")
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
        fig = contrast_figure(contrasts, res.spec, res.contrast_drivers())
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
