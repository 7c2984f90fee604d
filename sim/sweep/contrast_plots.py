"""The contrast plot of a sweep (``contrast.png``).

- A grid sweep (:func:`contrast_forest`): one panel per metric, a row per setting of the
  other parameters, the mean paired difference with its interval.
- A sampled sweep, whose arms are crossed with sampled worlds (:func:`contrast_scatter`):
  each world's paired difference against each sampled parameter, a row of panels per
  metric, with the parameter's partial rank correlation with the difference in the panel's
  title (:mod:`sim.sweep.uncertainty`).

Labels and units come from :mod:`sim.sweep.labels`; numbers through
:mod:`sim.outcomes.formatting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outcomes import formatting
from sim.output.plots.style import STYLE, difference_axis, figure, log_x
from sim.sweep.contrast import contrast_settings
from sim.sweep.labels import MAX_METRICS, count_noun, metric_label, metric_unit, param_label
from sim.sweep.uncertainty import driver_words

if TYPE_CHECKING:
    from sim.sweep.spec import SweepSpec

#: A sampled contrast's plot: at most this many metrics (rows) and parameters (columns).
MAX_SCATTER_METRICS = 3
MAX_SCATTER_PARAMETERS = 4
#: Fewest paired replicates per world for which a sampled contrast's plot draws each
#: world's interval (with 2 pairs Student's t multiplies the spread by 12.7).
MIN_BAR_PAIRS = 5


def contrast_figure(table: pd.DataFrame, spec: SweepSpec,
                    drivers: pd.DataFrame | None = None) -> Figure | None:
    """``contrast.png`` of the sweep: :func:`contrast_scatter` when its arms are crossed
    with a sample (``drivers`` from :func:`sim.sweep.uncertainty.contrast_drivers`), else
    :func:`contrast_forest`.
    """
    if spec.crossed is not None and drivers is not None:
        return contrast_scatter(table, spec, drivers)
    return contrast_forest(table, spec)


def _defined(table: pd.DataFrame, spec: SweepSpec) -> list[str]:
    """The contrast's metrics with a difference somewhere, in the sweep's order."""
    return [m for m in spec.contrast_metrics
            if table.loc[table["metric"] == m, "diff_mean"].notna().any()]


def _differences(sub: pd.DataFrame, unit: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A contrast's rows as plotted: mean difference, interval ends (snapped to the
    unit's resolution) and the (2, n) error-bar lengths.
    """
    mid, lo, hi = (formatting.snap(sub[k].to_numpy(dtype=float), unit)
                   for k in ("diff_mean", "diff_lo", "diff_hi"))
    return mid, lo, hi, np.abs(np.vstack([mid - lo, hi - mid]))


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
    names = _defined(table, spec)[:MAX_METRICS]
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
            mid, lo, hi, err = _differences(sub, unit)
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


def contrast_scatter(table: pd.DataFrame, spec: SweepSpec, drivers: pd.DataFrame
                     ) -> Figure | None:
    """A sampled contrast: a row of panels per metric (at most
    :data:`MAX_SCATTER_METRICS`), a panel per sampled number parameter (at most
    :data:`MAX_SCATTER_PARAMETERS`, the first metric's strongest drivers first); metrics
    whose difference is the same in every world are left out when others vary. Each dot
    is one world's mean paired difference (treatment minus control) against the
    parameter's value, with its interval as a bar when worlds have at least
    :data:`MIN_BAR_PAIRS` replicates; a line at no difference. None when no difference is defined.
    """
    c = spec.contrast
    if c is None or table["diff_mean"].isna().all():
        return None
    defined = _defined(table, spec)
    varying = [m for m in defined  # a difference the same in every world has no drivers
               if np.ptp(table.loc[table["metric"] == m, "diff_mean"].dropna()) > 0]
    names = (varying or defined)[:MAX_SCATTER_METRICS]
    first = drivers[drivers["metric"] == names[0]]
    params = [p for p in first["parameter"] if pd.api.types.is_numeric_dtype(table[p])]
    if not params:
        return contrast_forest(table, spec)
    params = params[:MAX_SCATTER_PARAMETERS]
    log = {p for p in params if spec.parameters[p].log}
    rows, cols = len(names), len(params)
    with plt.rc_context(STYLE):
        fig, axes = figure((3.9 * cols + 0.6, 3.1 * rows + 0.7), rows, cols, squeeze=False,
                           sharey="row")
        for i, metric in enumerate(names):
            unit = metric_unit(metric)
            sub = table[table["metric"] == metric]
            mid, _, _, err = _differences(sub, unit)
            if int(table["replicates"].max()) < MIN_BAR_PAIRS:
                err[:] = np.nan  # Student's t on 2-4 pairs: bars that hide the dots
            found = drivers[drivers["metric"] == metric].set_index("parameter")
            for j, p in enumerate(params):
                ax = axes[i, j]
                ax.errorbar(sub[p].to_numpy(dtype=float), mid, fmt="o", ms=3.5, alpha=0.75,
                            yerr=None if np.isnan(err).all() else err, color="#1f77b4",
                            elinewidth=0.7, capsize=0)
                ax.axhline(0.0, color="0.4", lw=0.8)
                if p in log:
                    log_x(ax)
                ax.set_title(driver_words(found.loc[p]) if p in found.index
                             else "PRCC undefined", fontsize=8)
                if i == rows - 1:
                    ax.set_xlabel(param_label(p), fontsize=8)
                if j == 0:
                    difference_axis(ax, unit, count_noun(metric), axis="y", fontsize=8)
                    ax.set_ylabel(f"{metric_label(metric).rsplit(' (', 1)[0]}\n"
                                  + ax.get_ylabel(), fontsize=8)
        worlds = int(table.loc[table["metric"] == names[0], "diff_mean"].notna().sum())
        pairs = int(table["replicates"].max())
        bar = (f"bar: {100 * c.level:g}% interval of {pairs} paired replicates"
               if pairs >= MIN_BAR_PAIRS else
               f"{pairs} paired replicate{'s' if pairs > 1 else ''} per world, too few for "
               "an interval bar")
        fig.suptitle(f"{param_label(c.parameter)}: {formatting.setting(c.treatment)} minus "
                     f"{formatting.setting(c.control)} in each of {worlds} sampled worlds\n"
                     f"{bar}; PRCC: partial rank correlation with the difference",
                     fontsize=9)
        fig.tight_layout()
        return fig
